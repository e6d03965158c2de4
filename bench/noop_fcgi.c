/* SPDX-License-Identifier: BSD-3-Clause */
/* noop_fcgi.c -- the ceiling for `make bench`: a FastCGI responder that does nothing
 *
 * noop_fcgi [THREADS]: under spawn-fcgi (listening socket on fd 0), THREADS
 * (default 4, as dadns-intake's default) threads accept FastCGI requests
 * with libfcgi, read the whole body and answer "error=0&exists=0" as
 * text/plain, keeping the web server's connection as dadns-intake does.
 * What nginx + FastCGI can do on the machine, with no work behind it.
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void *serve(void *arg)
{
	FCGX_Request req;
	char buf[8192];

	(void)arg;
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		while (FCGX_GetStr(buf, sizeof(buf), req.in) > 0)
			;
		FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nerror=0&exists=0", req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4, i;
	pthread_t *t;

	if (n < 1 || n > 256)
		n = 4;
	if (FCGX_Init() != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	t = calloc((size_t)n, sizeof(*t));
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, serve, NULL);
	fprintf(stderr, "info: noop_fcgi: ready on fd 0, %d threads\n", n);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
