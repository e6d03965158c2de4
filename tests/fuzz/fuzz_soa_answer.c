/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_soa_answer.c -- libFuzzer harness: the answer a secondary (or any DNS server) gives to
 * "zone IN SOA" (lib/backends/dnsfile_query.c: dnsfile_soa_answer, as the scanner of
 * lib/soa_scan.c reads every datagram) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_LEVEL_ERR);
	return 0;
}

/* Input: octet 0 picks the zone asked about, the rest is the datagram; the
 * query id is the datagram's own (octets 1-2) when octet 0 is even, else
 * one more (a spoof). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const zones[] = { "a.test", "example.com.", ".", "xn--bcher-kva.test",
					     "a.b.c.d.e.f.g.test" };
	int64_t serial = -1;
	uint16_t id;
	int kind;

	if (size < 1)
		return 0;
	id = size >= 3 ? (uint16_t)((data[1] << 8) | data[2]) : 0;
	if (data[0] & 1)
		id++;
	kind = dnsfile_soa_answer(data + 1, size - 1, id, zones[data[0] % 5], &serial);
	CHECK(kind >= DNSFILE_SOA_SERIAL && kind <= DNSFILE_SOA_GARBAGE);
	if (kind == DNSFILE_SOA_SERIAL)
		CHECK(serial >= 0 && serial <= 4294967295LL);
	else
		CHECK(serial == -1);
	/* an answer to another id is never taken */
	if (data[0] & 1)
		CHECK(kind == DNSFILE_SOA_NOT_OURS || kind == DNSFILE_SOA_GARBAGE);
	return 0;
}
