-- SPDX-License-Identifier: BSD-3-Clause
-- wrk_rawsave.lua -- DirectAdmin-style rawsaves of distinct zones for wrk:
-- POST /CMD_API_DNS_ADMIN?action=rawsave&domain=...&hostname=...&username=...
-- with the zone as the raw body and no Content-Type (as DA sends it).
-- usage: wrk ... -H "Authorization: Basic ..." -s wrk_rawsave.lua URL -- PREFIX SERIAL
-- Prints "errors N" (answers other than 200 "error=0...") after wrk's summary.
local threads = {}
tid = 0  -- global: thread:set() sets globals in each thread

function setup(thread)
	tid = tid + 1
	thread:set("tid", tid)
	table.insert(threads, thread)
end

function init(args)
	prefix = args[1] or "w"
	serial = args[2] or "2024010101"
	n = 0
	bad = 0
	wrk.headers["Content-Type"] = nil
end

local function zone(d)
	return "$TTL 3600\n@\tIN\tSOA\tns1." .. d .. ".\thostmaster." .. d .. ". (\n\t\t\t" .. serial ..
		"\n\t\t\t3600\n\t\t\t3600\n\t\t\t1209600\n\t\t\t86400 )\n\n" ..
		d .. ".\t3600\tIN\tNS\tns1." .. d .. ".\n" .. d .. ".\t3600\tIN\tNS\tns2." .. d .. ".\n\n" ..
		d .. ".\t3600\tIN\tA\t192.0.2.10\nwww\t3600\tIN\tA\t192.0.2.10\n" ..
		"ftp\t3600\tIN\tA\t192.0.2.10\nmail\t3600\tIN\tA\t192.0.2.11\n" ..
		"ns1\t3600\tIN\tA\t192.0.2.1\nns2\t3600\tIN\tA\t192.0.2.2\n" ..
		"pop\t3600\tIN\tCNAME\tmail\nsmtp\t3600\tIN\tCNAME\tmail\n" ..
		d .. ".\t3600\tIN\tMX\t10 mail\n" ..
		d .. ".\t3600\tIN\tTXT\t\"v=spf1 a mx ip4:192.0.2.10 ~all\"\n" ..
		"_dmarc\t3600\tIN\tTXT\t\"v=DMARC1; p=none\"\n"
end

function request()
	n = n + 1
	local d = prefix .. tid .. "-" .. n .. ".wrk.test"
	return wrk.format("POST", "/CMD_API_DNS_ADMIN?action=rawsave&domain=" .. d ..
		"&hostname=da1.example.net&username=fred", nil, zone(d))
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
