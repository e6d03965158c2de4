# SPDX-License-Identifier: BSD-3-Clause
# Makefile -- build every program into build/, run the tests, install.
#
# Every cmd/<program>/ directory is one program; every lib/**/*.c goes into
# build/libdadns.a; every tests/unit/test_*.c is one TAP test binary.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS      = fcgi inih sqlite3 libmariadb libcurl ldns jansson libknot
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
            -fno-strict-aliasing -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -I. $(PKG_CFLAGS) -pthread
LDLIBS   += $(PKG_LIBS) -pthread

# make fuzz: lib/ and tests/fuzz/fuzz_*.c built by clang with libFuzzer,
# ASan and UBSan into build-fuzz/ (tests/fuzz/README.md).
ifeq ($(FUZZ),1)
BUILD    := build-fuzz
CC       := clang
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined -O1 -Wno-format-nonliteral
endif
FUZZ_SECONDS ?= 60
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

ifeq ($(SANITIZE),1)
BUILD    ?= build-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1
LDFLAGS  += -fsanitize=address,undefined
else
BUILD    ?= build
endif

PROGRAMS  := $(notdir $(wildcard cmd/*))
LIB_SRC   := $(wildcard lib/*.c lib/backends/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HDRS      := $(wildcard lib/*.h lib/backends/*.h tests/unit/*.h cmd/*/*.h)

all: $(addprefix $(BUILD)/,$(PROGRAMS))

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libdadns.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

.SECONDEXPANSION:
prog_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard cmd/$(1)/*.c))
$(addprefix $(BUILD)/,$(PROGRAMS)): $(BUILD)/%: $$(call prog_objs,$$*) $(BUILD)/libdadns.a
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libdadns.a $(LDLIBS)

# The operator's page (ui/) is compiled into dadns-intake: one binary, no
# files to install or find at run time (README "The operator's page").
UI_SRC    := $(sort $(wildcard ui/*))
$(BUILD)/gen/ui_assets.c: $(UI_SRC) scripts/embed
	@mkdir -p $(dir $@)
	scripts/embed $(UI_SRC) >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/gen/ui_assets.o: $(BUILD)/gen/ui_assets.c cmd/dadns-intake/ui_assets.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/dadns-intake: $(BUILD)/obj/gen/ui_assets.o

$(UNIT_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libdadns.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libdadns.a $(LDLIBS)

unit: all $(UNIT_BIN)
	@scripts/run-unit $(UNIT_BIN)

# The integration tests start real daemons (nginx, lighttpd, nsd, named,
# mariadb, pdns_server) on loopback ports in temporary directories.
test: all $(UNIT_BIN)
	@DADNS_BUILD=$(CURDIR)/$(BUILD) scripts/run-tests $(UNIT_BIN)

$(FUZZ_BIN): build-fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/libdadns.a
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/libdadns.a $(LDLIBS)

fuzz-build:
	@$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_BIN)

# FUZZ_SECONDS per harness; FUZZ_ONLY="fuzz_zone ..." runs only those.
fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BIN)

deps:
	@scripts/deps

# Benchmarks (not part of `make test`): bench/run.sh regenerates BENCHMARKS.md.
# BENCH_SECTIONS="latency bulk" runs only those (figures printed, not written).
bench: all $(BUILD)/bench/benchtool $(BUILD)/bench/noop_fcgi $(BUILD)/bench/knot_txn bench-deps
	@DADNS_BUILD=$(CURDIR)/$(BUILD) bench/run.sh $(BENCH_SECTIONS)

bench-deps:
	@scripts/deps
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends wrk; }
	@command -v dnsperf >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends dnsperf; }

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# The demo (scripts/run-demo): Ctrl-C, or SIGTERM / SIGHUP / SIGINT to make
# alone, stops everything it started.
# make runs the script itself (no shell between): it is make's child.
run: export DADNS_BUILD = $(CURDIR)/$(BUILD)
run: all
	@scripts/run-demo

# make install PREFIX=/usr DESTDIR=/tmp/pkg: programs in BINDIR, systemd
# units in UNITDIR (their /usr/local/bin and /etc/dadns paths rewritten to
# BINDIR and SYSCONFDIR), README and examples in DOCDIR, and
# SYSCONFDIR/dadns/dadns.ini from examples/ unless one is there already.
BINDIR     ?= $(PREFIX)/bin
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DOCDIR     ?= $(PREFIX)/share/doc/dadns
SYSCONFDIR ?= /etc
UNITS      := $(wildcard systemd/*.service systemd/*.socket systemd/*.timer)
UNIT_SED    = -e 's|/usr/local/bin/|$(BINDIR)/|g' -e 's|/etc/dadns/|$(SYSCONFDIR)/dadns/|g' \
              -e 's|/usr/local/share/doc/dadns|$(DOCDIR)|g'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/examples \
	  $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(SYSCONFDIR)/dadns
	install -m 0755 $(addprefix $(BUILD)/,$(PROGRAMS)) $(DESTDIR)$(BINDIR)/
	set -e; for u in $(UNITS); do \
	  sed $(UNIT_SED) "$$u" >"$(DESTDIR)$(UNITDIR)/$${u#systemd/}"; \
	  chmod 0644 "$(DESTDIR)$(UNITDIR)/$${u#systemd/}"; done
	cp -R examples/. $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	[ -e $(DESTDIR)$(SYSCONFDIR)/dadns/dadns.ini ] || \
	  install -m 0640 examples/dadns.ini $(DESTDIR)$(SYSCONFDIR)/dadns/dadns.ini

# The configuration stays unless it is still the untouched example.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS))
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -rf $(DESTDIR)$(DOCDIR)/examples
	rm -f $(DESTDIR)$(DOCDIR)/README.md $(addprefix $(DESTDIR)$(DOCDIR)/,$(wildcard docs/*.md))
	-rmdir $(DESTDIR)$(DOCDIR)/docs 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	if cmp -s examples/dadns.ini $(DESTDIR)$(SYSCONFDIR)/dadns/dadns.ini; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/dadns/dadns.ini; rmdir $(DESTDIR)$(SYSCONFDIR)/dadns 2>/dev/null || true; fi

clean:
	rm -rf build build-san build-fuzz run

.PHONY: all unit test deps run install uninstall clean bench bench-deps fuzz fuzz-build
.SECONDARY:
