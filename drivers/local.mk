# drivers: the TDM interface (drivers/tdm.h) and its DAHDI back end.
src_libstrowger_a_SOURCES += \
	drivers/dahdi/tdm.c drivers/dahdi/span.c drivers/dahdi/chan.c \
	drivers/dahdi/sys_os.c drivers/dahdi/law.c
noinst_HEADERS += \
	drivers/tdm.h drivers/dahdi/dahdi.h drivers/dahdi/sys.h drivers/dahdi/law.h

DRIVERS_TESTS = tests/unit/drivers/test_tdm tests/unit/drivers/test_law
check_PROGRAMS += $(DRIVERS_TESTS)
TESTS += $(DRIVERS_TESTS)
tests_unit_drivers_test_tdm_SOURCES = tests/unit/drivers/test_tdm.c
tests_unit_drivers_test_tdm_CFLAGS = $(TEST_CFLAGS)
tests_unit_drivers_test_tdm_LDADD = $(TEST_LDADD)
tests_unit_drivers_test_law_SOURCES = tests/unit/drivers/test_law.c
tests_unit_drivers_test_law_CFLAGS = $(TEST_CFLAGS)
tests_unit_drivers_test_law_LDADD = $(TEST_LDADD)

# tests/vm: the driver test for the kernel's DAHDI.  `make check` runs it on
# the sim (same program, same system.conf); `make check-vm` boots a Debian
# kernel under QEMU with the DAHDI modules and runs it there.
check_PROGRAMS += tests/vm/vm_dahdi
TESTS += tests/vm/vm_dahdi
tests_vm_vm_dahdi_SOURCES = tests/vm/vm_dahdi.c
EXTRA_DIST += tests/vm/system.conf tests/vm/run-vm.sh tests/vm/README.md

check-vm: tests/vm/vm_dahdi
	$(SHELL) $(srcdir)/tests/vm/run-vm.sh $(abs_builddir)/tests/vm/vm_dahdi

.PHONY: check-vm
