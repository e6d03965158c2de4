# SPDX-License-Identifier: BSD-3-Clause
# Makefile -- build every program into build/, run the tests, install.
#
# Every cmd/<program>/ directory is one program; every lib/**/*.c goes into
# build/libdadns.a; every tests/unit/test_*.c is one TAP test binary.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS      = fcgi inih sqlite3 libmariadb libcurl ldns jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
            -fno-strict-aliasing -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -I. $(PKG_CFLAGS) -pthread
LDLIBS   += $(PKG_LIBS) -pthread

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

$(UNIT_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libdadns.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libdadns.a $(LDLIBS)

unit: all $(UNIT_BIN)
	@scripts/run-unit $(UNIT_BIN)

# The integration tests start real daemons (nginx, lighttpd, nsd, named,
# mariadb, pdns_server) on loopback ports in temporary directories.
test: all $(UNIT_BIN)
	@DADNS_BUILD=$(CURDIR)/$(BUILD) scripts/run-tests $(UNIT_BIN)

deps:
	@scripts/deps

run: all
	@scripts/run-demo

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/dadns/examples \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0755 $(addprefix $(BUILD)/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/
	cp -R examples/. $(DESTDIR)$(PREFIX)/share/doc/dadns/examples/
	install -m 0644 systemd/*.service systemd/*.socket systemd/*.timer $(DESTDIR)$(PREFIX)/lib/systemd/system/ 2>/dev/null || true

clean:
	rm -rf build build-san run

.PHONY: all unit test deps run install clean
.SECONDARY:
