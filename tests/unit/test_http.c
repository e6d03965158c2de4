/* SPDX-License-Identifier: BSD-3-Clause */
/* test_http.c -- strict form decoding, base64 and Basic auth with hostile input */
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "tests/unit/tap.h"

/* Parse s into a fresh form; returns the result code, form in *f. */
static int parse(struct http_form *f, const char *s)
{
	http_form_init(f);
	return http_form_parse(f, s, strlen(s));
}

static void test_decode(void)
{
	char *out = NULL;
	size_t len = 0;

	is_int(http_url_decode("a+b%20c", 7, &out, &len), 0, "decode + and %%20");
	is_str(out, "a b c", "decoded text");
	is_int(len, 5, "decoded length");
	free(out);

	is_int(http_url_decode("%41%7a%7E", 9, &out, &len), 0, "upper and lower hex");
	is_str(out, "Az~", "hex decoded");
	free(out);

	is_int(http_url_decode("line%0Anext%09tab", 17, &out, &len), 0, "%%0A and %%09 allowed in values");
	is_int(len, 13, "control octets kept");
	free(out);

	is_int(http_url_decode("%C3%BC", 6, &out, &len), 0, "encoded UTF-8 decodes");
	is_int(len, 2, "two octets");
	ok(out && (unsigned char)out[0] == 0xc3 && (unsigned char)out[1] == 0xbc, "octets kept");
	free(out);

	is_int(http_url_decode("", 0, &out, &len), 0, "empty decodes");
	is_str(out, "", "to empty");
	free(out);

	static const char *const bad[] = {
		"%", "a%", "a%4", "%zz", "%4g", "%g4", "%00", "a%00b", "%%41", "% 41",
		"a b", "a\tb", "a\nb", "a\rb", "caf\xc3\xa9", "\x7f", "\x01",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		out = (char *)1;
		is_int(http_url_decode(bad[i], strlen(bad[i]), &out, &len), DADNS_EPARSE,
		       "refused: bad input #%zu", i);
		ok(out == NULL, "no output for bad input #%zu", i);
	}
	/* A NUL in the raw input is an octet like any other: refused. */
	is_int(http_url_decode("a\0b", 3, &out, &len), DADNS_EPARSE, "raw NUL refused");
}

static void test_form(void)
{
	struct http_form f;
	const char *v;

	is_int(parse(&f, "action=rawsave&domain=example.com&hostname=da1.example.net"), 0, "plain form");
	is_int(f.n, 3, "three pairs");
	is_str(http_form_get(&f, "action"), "rawsave", "action");
	is_str(http_form_get(&f, "hostname"), "da1.example.net", "hostname");
	ok(http_form_get(&f, "username") == NULL, "absent key is NULL");
	ok(http_form_get(&f, "Action") == NULL, "keys are case-sensitive");
	http_form_deinit(&f);

	is_int(parse(&f, "&&a=1&&b=2&"), 0, "empty segments skipped");
	is_int(f.n, 2, "two pairs");
	http_form_deinit(&f);

	is_int(parse(&f, ""), 0, "empty string");
	is_int(f.n, 0, "no pairs");
	http_form_deinit(&f);

	is_int(parse(&f, "&"), 0, "lone &");
	is_int(f.n, 0, "no pairs");
	http_form_deinit(&f);

	is_int(parse(&f, "flag&x="), 0, "key without = and empty value");
	is_str(http_form_get(&f, "flag"), "", "flag has empty value");
	is_str(http_form_get(&f, "x"), "", "x has empty value");
	http_form_deinit(&f);

	is_int(parse(&f, "a=b=c"), 0, "= inside a value");
	is_str(http_form_get(&f, "a"), "b=c", "value keeps second =");
	http_form_deinit(&f);

	is_int(parse(&f, "=x"), DADNS_EPARSE, "empty key refused");
	is_int(f.n, 0, "nothing kept");
	http_form_deinit(&f);
	is_int(parse(&f, "="), DADNS_EPARSE, "= only refused");
	http_form_deinit(&f);
	is_int(parse(&f, "a=1&="), DADNS_EPARSE, "trailing = only refused");
	is_int(f.n, 0, "earlier pairs of the failed call dropped");
	http_form_deinit(&f);
	is_int(parse(&f, "%0a=1"), DADNS_EPARSE, "control octet in key refused");
	http_form_deinit(&f);
	is_int(parse(&f, "%C3%BC=1"), DADNS_EPARSE, "non-ASCII key refused");
	http_form_deinit(&f);
	is_int(parse(&f, "a=%00"), DADNS_EPARSE, "NUL in value refused");
	http_form_deinit(&f);
	is_int(parse(&f, "domain=exa%2"), DADNS_EPARSE, "truncated %% refused");
	http_form_deinit(&f);
	is_int(parse(&f, "domain=%zzexample.com"), DADNS_EPARSE, "%%zz refused");
	http_form_deinit(&f);
	is_int(parse(&f, "domain=caf\xc3\xa9.com"), DADNS_EPARSE, "raw non-ASCII refused");
	http_form_deinit(&f);
	is_int(parse(&f, "$TTL 3600\n@ IN SOA ns1. host. ( 1 2 3 4 5 )\n"), DADNS_EPARSE,
	       "zone text is not a form");
	http_form_deinit(&f);

	/* Appending to a form keeps the earlier pairs when a later parse fails. */
	http_form_init(&f);
	is_int(http_form_parse(&f, "a=1", 3), 0, "first part");
	is_int(http_form_parse(&f, "b=%", 3), DADNS_EPARSE, "second part refused");
	is_int(f.n, 1, "first part kept");
	is_int(http_form_parse(&f, "c=3", 3), 0, "third part");
	is_int(f.n, 2, "merged");
	http_form_deinit(&f);

	/* Moving the pairs of one form behind another's. */
	{
		struct http_form g;

		http_form_init(&f);
		http_form_init(&g);
		is_int(http_form_parse(&f, "a=1&b=2", 7), 0, "first form");
		is_int(http_form_parse(&g, "b=3&c=4", 7), 0, "second form");
		http_form_move(&f, &g);
		is_int(f.n, 4, "pairs moved");
		is_int(g.n, 0, "source emptied");
		is_str(http_form_get(&f, "b"), "2", "earlier pair keeps precedence");
		is_str(http_form_get(&f, "c"), "4", "moved pair found");
		is_int(http_form_get_unique(&f, "b", &v), DADNS_EEXIST, "conflict across the two");
		http_form_deinit(&g);
		http_form_deinit(&f);
	}

	/* Overlong keys and values. */
	{
		size_t n = HTTP_KEY_MAX + 1, big = 1 << 20;
		char *s = xmalloc(big + 8);

		memset(s, 'k', n);
		memcpy(s + n, "=v", 3);
		is_int(parse(&f, s), DADNS_EPARSE, "key over HTTP_KEY_MAX refused");
		http_form_deinit(&f);
		memset(s, 'k', n - 1);
		memcpy(s + n - 1, "=v", 3);
		is_int(parse(&f, s), 0, "key of HTTP_KEY_MAX accepted");
		http_form_deinit(&f);
		memcpy(s, "v=", 2);
		memset(s + 2, 'x', big);
		s[big + 2] = '\0';
		is_int(parse(&f, s), 0, "1 MiB value accepted");
		is_int(f.n == 1 ? f.params[0].value_len : 0, big, "value length");
		http_form_deinit(&f);
		free(s);
	}

	/* Too many pairs. */
	{
		struct strbuf sb;
		int i;

		strbuf_init(&sb);
		for (i = 0; i <= HTTP_FORM_MAX_PARAMS; i++)
			strbuf_puts(&sb, "a=1&");
		http_form_init(&f);
		is_int(http_form_parse(&f, sb.buf, sb.len), DADNS_E2BIG, "too many pairs refused");
		is_int(f.n, 0, "none kept");
		http_form_deinit(&f);
		strbuf_deinit(&sb);
	}

	/* Repeated keys. */
	is_int(parse(&f, "domain=a.com&x=1&domain=b.com&y=2&y=2"), 0, "repeated keys parse");
	is_str(http_form_get(&f, "domain"), "a.com", "first value wins for get");
	is_int(http_form_get_unique(&f, "domain", &v), DADNS_EEXIST, "conflicting repeat");
	ok(v == NULL, "no value on conflict");
	is_int(http_form_get_unique(&f, "y", &v), 0, "same value repeated is fine");
	is_str(v, "2", "its value");
	is_int(http_form_get_unique(&f, "z", &v), DADNS_ENOENT, "absent");
	http_form_deinit(&f);
}

static void test_encode(void)
{
	struct strbuf sb;

	strbuf_init(&sb);
	http_answer_add(&sb, "error", "0");
	http_answer_add(&sb, "text", "dadns connection OK");
	http_answer_add(&sb, "details", "a&b=c%d/e\n\xff~-._");
	is_str(sb.buf, "error=0&text=dadns%20connection%20OK&details=a%26b%3Dc%25d%2Fe%0A%FF~-._",
	       "answer is URL-encoded");
	strbuf_deinit(&sb);

	/* Round trip through the decoder. */
	{
		struct http_form f;
		char raw[255];
		int i;

		for (i = 0; i < 255; i++)
			raw[i] = (char)(i + 1);
		strbuf_init(&sb);
		strbuf_puts(&sb, "v=");
		http_url_encode(&sb, raw, sizeof(raw));
		http_form_init(&f);
		is_int(http_form_parse(&f, sb.buf, sb.len), 0, "encoded octets 1..255 parse");
		ok(f.n == 1 && f.params[0].value_len == sizeof(raw) &&
			   memcmp(f.params[0].value, raw, sizeof(raw)) == 0,
		   "and round-trip");
		http_form_deinit(&f);
		strbuf_deinit(&sb);
	}
}

static void test_base64(void)
{
	unsigned char *out = NULL;
	size_t len = 0;

	static const struct {
		const char *in, *want;
	} good[] = {
		{ "", "" }, { "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" }, { "Zm9vYmE=", "fooba" }, { "Zm9vYmFy", "foobar" },
		{ "Zg", "f" }, { "Zm8", "fo" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		is_int(http_base64_decode(good[i].in, strlen(good[i].in), &out, &len), 0,
		       "base64 '%s'", good[i].in);
		ok(out && len == strlen(good[i].want) && memcmp(out, good[i].want, len) == 0,
		   "decodes to '%s'", good[i].want);
		free(out);
	}
	static const char *const bad[] = {
		"Z", "Z===", "Zg=", "Zg=a", "=Zg=", "Zm9v!", "Zm 9v", "Zm9v\n", "Zh==", "Zm9=",
		"Zg==Zg==", "Zm9vYmFy====",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		out = (unsigned char *)1;
		is_int(http_base64_decode(bad[i], strlen(bad[i]), &out, &len), DADNS_EPARSE,
		       "base64 refused #%zu", i);
		ok(out == NULL, "no output #%zu", i);
	}
}

static void test_auth(void)
{
	char *u = NULL, *p = NULL;

	/* "admin:s3cr:et" */
	is_int(http_basic_auth_parse("Basic YWRtaW46czNjcjpldA==", &u, &p), 0, "basic auth");
	is_str(u, "admin", "user");
	is_str(p, "s3cr:et", "password keeps later colons");
	util_free_secret(u);
	util_free_secret(p);

	is_int(http_basic_auth_parse("basic   YWRtaW46czNjcjpldA==  ", &u, &p), 0,
	       "scheme case and blanks");
	util_free_secret(u);
	util_free_secret(p);

	/* "admin:" -> empty password is a parse success (then a wrong password). */
	is_int(http_basic_auth_parse("Basic YWRtaW46", &u, &p), 0, "empty password parses");
	is_str(p, "", "empty password");
	util_free_secret(u);
	util_free_secret(p);

	is_int(http_basic_auth_parse(NULL, &u, &p), DADNS_ENOENT, "no header");
	is_int(http_basic_auth_parse("", &u, &p), DADNS_ENOENT, "empty header");

	static const char *const bad[] = {
		"Basic",                         /* no token */
		"Basic ",                        /* empty token */
		"Bearer YWRtaW46eA==",           /* other scheme */
		"BasicYWRtaW46eA==",             /* no blank */
		"Basic YWRtaW4=",                /* "admin": no colon */
		"Basic OnBhc3M=",                /* ":pass": empty user */
		"Basic YWRtaW46eA==!",           /* junk */
		"Basic YWRt aW46eA==",           /* blank inside */
		"Basic YQBiOmM=",                /* "a\0b:c": NUL */
		"Basic YWRtaW46eAo=",            /* "admin:x\n": control octet */
		"Digest username=\"a\"",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		u = p = (char *)1;
		is_int(http_basic_auth_parse(bad[i], &u, &p), DADNS_EPARSE, "auth refused #%zu", i);
		ok(u == NULL && p == NULL, "no output #%zu", i);
	}

	/* Overlong header. */
	{
		char *h = xmalloc(HTTP_AUTH_MAX + 16);

		memcpy(h, "Basic ", 6);
		memset(h + 6, 'Q', HTTP_AUTH_MAX + 4);
		h[HTTP_AUTH_MAX + 8] = '\0';
		is_int(http_basic_auth_parse(h, &u, &p), DADNS_EPARSE, "overlong header refused");
		free(h);
	}
}

static void test_misc(void)
{
	long long n = -1;

	is_int(http_content_length(NULL, &n), 0, "no CONTENT_LENGTH");
	is_int(n, 0, "is 0");
	is_int(http_content_length("", &n), 0, "empty CONTENT_LENGTH");
	is_int(http_content_length("1234", &n), 0, "number");
	is_int(n, 1234, "value");
	is_int(http_content_length("999999999999999999", &n), 0, "18 digits");
	is_int(http_content_length("9999999999999999999", &n), DADNS_EPARSE, "19 digits refused");
	is_int(http_content_length("-1", &n), DADNS_EPARSE, "negative refused");
	is_int(http_content_length("12a", &n), DADNS_EPARSE, "junk refused");
	is_int(http_content_length(" 12", &n), DADNS_EPARSE, "blank refused");

	ok(http_is_form_type("application/x-www-form-urlencoded"), "form type");
	ok(http_is_form_type("Application/X-WWW-Form-URLEncoded; charset=UTF-8"), "form type params");
	ok(!http_is_form_type(NULL), "absent is not form");
	ok(!http_is_form_type(""), "empty is not form");
	ok(!http_is_form_type("text/plain"), "text/plain is not form");
	ok(!http_is_form_type("application/x-www-form-urlencodedx"), "prefix is not form");
}

int main(void)
{
	test_decode();
	test_form();
	test_encode();
	test_base64();
	test_auth();
	test_misc();
	return tap_done();
}
