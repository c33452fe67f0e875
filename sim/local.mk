# sim: dahdi_dummy in userspace (the DAHDI ABI subset behind drivers/dahdi's
# system call table), spans from system.conf, cross-connects and faults.
src_libstrowger_a_SOURCES += \
	sim/sim.c sim/sim_tick.c sim/sim_sys.c sim/sim_ioctl.c sim/sim_buf.c \
	sim/sim_line.c sim/sim_remote.c sim/sim_sock.c sim/sysconf.c
noinst_HEADERS += sim/sim.h sim/sim_int.h sim/sysconf.h
EXTRA_DIST += sim/README.md conf/sim-system.conf

SIM_TESTS = tests/unit/sim/test_sysconf tests/unit/sim/test_sim_abi \
	tests/unit/sim/test_sim_cross tests/unit/sim/test_sim_fault tests/unit/sim/test_sim_line \
	tests/unit/sim/test_sim_remote
check_PROGRAMS += $(SIM_TESTS)
TESTS += $(SIM_TESTS)
tests_unit_sim_test_sysconf_SOURCES = tests/unit/sim/test_sysconf.c
tests_unit_sim_test_sysconf_CFLAGS = $(TEST_CFLAGS)
tests_unit_sim_test_sysconf_LDADD = $(TEST_LDADD)
tests_unit_sim_test_sim_abi_SOURCES = tests/unit/sim/test_sim_abi.c tests/unit/sim/simtest.h
tests_unit_sim_test_sim_abi_CFLAGS = $(TEST_CFLAGS)
tests_unit_sim_test_sim_abi_LDADD = $(TEST_LDADD)
tests_unit_sim_test_sim_cross_SOURCES = tests/unit/sim/test_sim_cross.c tests/unit/sim/simtest.h
tests_unit_sim_test_sim_cross_CFLAGS = $(TEST_CFLAGS)
tests_unit_sim_test_sim_cross_LDADD = $(TEST_LDADD)
tests_unit_sim_test_sim_fault_SOURCES = tests/unit/sim/test_sim_fault.c tests/unit/sim/simtest.h
tests_unit_sim_test_sim_fault_CFLAGS = $(TEST_CFLAGS)
tests_unit_sim_test_sim_fault_LDADD = $(TEST_LDADD)

EXTRA_PROGRAMS += tests/bench/bench_sim
BENCH_BINS += tests/bench/bench_sim
tests_bench_bench_sim_SOURCES = tests/bench/bench_sim.c

FUZZ_TARGETS += tests/fuzz/fuzz_sysconf
EXTRA_DIST += tests/fuzz/fuzz_sysconf.c tests/fuzz/corpus/fuzz_sysconf
tests_unit_sim_test_sim_line_SOURCES = tests/unit/sim/test_sim_line.c tests/unit/sim/simtest.h
tests_unit_sim_test_sim_line_CFLAGS = $(TEST_CFLAGS)
tests_unit_sim_test_sim_line_LDADD = $(TEST_LDADD)
tests_unit_sim_test_sim_remote_SOURCES = tests/unit/sim/test_sim_remote.c tests/unit/sim/simtest.h
tests_unit_sim_test_sim_remote_CFLAGS = $(TEST_CFLAGS)
tests_unit_sim_test_sim_remote_LDADD = $(TEST_LDADD)

bin_PROGRAMS += strowger-sim
strowger_sim_SOURCES = sim/strowger_sim.c sim/strowger_sim_switch.c sim/strowger_sim.h
TESTS += tests/unit/sim/strowger_sim.sh tests/unit/sim/strowger_sim_switch.sh
EXTRA_DIST += tests/unit/sim/strowger_sim.sh tests/unit/sim/strowger_sim_switch.sh
