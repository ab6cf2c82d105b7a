# SPDX-License-Identifier: GPL-2.0
KERNELDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

.PHONY: all modules install clean style kunit guest check demo fuzz

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
