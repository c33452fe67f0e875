# src/call: the gateway call FSM (its own fragment beside the routing
# engine's src/call/local.mk).
src_libstrowger_a_SOURCES += src/call/call.c src/call/call_fsm.c
noinst_HEADERS += src/call/call.h src/call/call_int.h
check_PROGRAMS += tests/unit/call/test_call
TESTS += tests/unit/call/test_call
tests_unit_call_test_call_SOURCES = tests/unit/call/test_call.c
tests_unit_call_test_call_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_call_LDADD = $(TEST_LDADD)

# The ISDN leg: Q.931 calls behind struct call_leg, span groups.
src_libstrowger_a_SOURCES += src/call/leg_isdn.c
noinst_HEADERS += src/call/leg_isdn.h
check_PROGRAMS += tests/unit/call/test_leg_isdn
TESTS += tests/unit/call/test_leg_isdn
tests_unit_call_test_leg_isdn_SOURCES = tests/unit/call/test_leg_isdn.c
tests_unit_call_test_leg_isdn_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_isdn_LDADD = $(TEST_LDADD)
