# SPDX-License-Identifier: GPL-2.0
KERNELDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

.PHONY: all modules install clean style sparse kunit guest check demo fuzz \
	dkms-source dkms-install dkms-remove deb dkms-test

FUZZ_SECONDS ?= 60

all: modules

modules:
	$(MAKE) -C $(KERNELDIR) M=$(PWD) modules

install: modules
	$(MAKE) -C $(KERNELDIR) M=$(PWD) modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KERNELDIR))) 2>/dev/null || depmod -a

clean:
	$(MAKE) -C $(KERNELDIR) M=$(PWD) clean 2>/dev/null || true
	rm -rf fuzz/out

style:
	scripts/style.sh

sparse:
	scripts/sparse.sh

kunit:
	scripts/kunit.sh

guest:
	scripts/guest.sh

demo:
	scripts/demo.sh

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

check:
	scripts/check.sh

# --- DKMS and Debian packaging -------------------------------------------
# The version comes from ./VERSION (first line that is not a comment).
DKMS_NAME := nf_pptp_alg
DKMS_VERSION := $(shell sed -n '/^[^\#]/{p;q}' $(CURDIR)/VERSION 2>/dev/null)
# Target kernel of dkms-install/dkms-remove; lazy, so uname runs only if used.
KERNELRELEASE ?= $(shell uname -r)
# Where dkms-source copies the module source (dkms-install: /usr/src).
DKMS_SRC ?= /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
# dkms runs make itself: keep this make's flags and level out of it.
DKMS := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dkms
DKMS_MV := -m $(DKMS_NAME) -v $(DKMS_VERSION)
DKMS_NEED_VERSION = @test -n "$(DKMS_VERSION)" || { echo "VERSION: no version line" >&2; exit 1; }
DKMS_NO_PKG = @if dpkg-query -W -f='$${Status}' nf-pptp-alg-dkms 2>/dev/null | grep -q 'ok installed'; then \
	echo "package nf-pptp-alg-dkms is installed: use apt-get purge nf-pptp-alg-dkms" >&2; exit 1; fi
DKMS_REMOVE_ALL = @if command -v dkms >/dev/null && [ -n "$$($(DKMS) status $(DKMS_MV) 2>/dev/null)" ]; then \
	echo "$(DKMS) remove $(DKMS_MV) --all"; $(DKMS) remove $(DKMS_MV) --all; fi

# The files a module build needs (C sources and headers of src/ and
# include/, at any depth), and nothing built.
dkms-source:
	$(DKMS_NEED_VERSION)
	install -d $(DKMS_SRC)
	install -m 644 Makefile Kbuild VERSION $(DKMS_SRC)/
	find src include -type f -name '*.[ch]' | LC_ALL=C sort | \
		xargs -I{} install -D -m 644 {} $(DKMS_SRC)/{}
	sed 's/#MODULE_VERSION#/$(DKMS_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

# Re-registers this version from scratch (dkms remove --all first), then
# builds and installs it for KERNELRELEASE only.
dkms-install:
	$(DKMS_NEED_VERSION)
	$(DKMS_NO_PKG)
	@command -v dkms >/dev/null || DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends dkms
	$(DKMS_REMOVE_ALL)
	rm -rf /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
	$(MAKE) --no-print-directory dkms-source DKMS_SRC=/usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
	$(DKMS) add $(DKMS_MV)
	$(DKMS) build $(DKMS_MV) -k $(KERNELRELEASE)
	$(DKMS) install $(DKMS_MV) -k $(KERNELRELEASE)

# Unregisters this version for every kernel and deletes its /usr/src copy.
dkms-remove:
	$(DKMS_NEED_VERSION)
	$(DKMS_NO_PKG)
	$(DKMS_REMOVE_ALL)
	rm -rf /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)

# Debian source + binary package nf-pptp-alg-dkms into build/deb/.
deb:
	scripts/deb.sh

dkms-test:
	scripts/dkms-test.sh

.PHONY: bench
bench:
	scripts/bench.sh

# Deliberate breaks (scripts/mutants/*.patch), each booted against the guest
# tests it names; every one must be killed. Long: not part of check.
.PHONY: mutants
mutants:
	scripts/mutants.sh
