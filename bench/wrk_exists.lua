-- SPDX-License-Identifier: BSD-3-Clause
-- wrk_exists.lua -- DirectAdmin's per-keystroke check for wrk:
-- GET /CMD_API_DNS_ADMIN?action=exists&domain=... (distinct names).
-- usage: wrk ... -H "Authorization: Basic ..." -s wrk_exists.lua URL
local threads = {}
tid = 0  -- global: thread:set() sets globals in each thread

function setup(thread)
	tid = tid + 1
	thread:set("tid", tid)
	table.insert(threads, thread)
end

function init(args)
	n = 0
	bad = 0
end

function request()
	n = n + 1
	return wrk.format("GET", "/CMD_API_DNS_ADMIN?action=exists&domain=k" .. tid .. "-" .. n .. ".example.com")
end

function response(status, headers, body)
	if status ~= 200 or string.sub(body, 1, 7) ~= "error=0" then
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local e = 0
	for _, t in ipairs(threads) do
		e = e + (t:get("bad") or 0)
	end
	local s = summary.errors
	e = e + s.connect + s.read + s.write + s.timeout + s.status
	io.write(string.format("bench: requests %d seconds %.3f rps %.1f p50_ms %.3f p99_ms %.3f errors %d\n",
		summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, e))
end
