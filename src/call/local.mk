# src/call: build fragment (included by Makefile.am)
# Routing engine (mapping files), cause interworking, number normalisation.
src_libstrowger_a_SOURCES += \
	src/call/number.c src/call/cause.c src/call/route_set.c \
	src/call/route_parse.c src/call/route_rule.c src/call/route_match.c \
	src/call/route_trie.c src/call/route_explain.c src/call/route_vectors.c
noinst_HEADERS += \
	src/call/route.h src/call/route_int.h src/call/cause.h src/call/number.h

# strowger-map: check, test and explain mapping files.
bin_PROGRAMS += strowger-map
strowger_map_SOURCES = src/call/map_tool.c

# Shipped mapping files: dial plans to the configuration directory, the
# cause tables (facts, not configuration) to the package data directory.
sgmapdir = $(sysconfdir)/strowger/mapping
MAPPING_PLANS = mapping/plans.map mapping/uk-e164.map mapping/us-e164.map \
	mapping/pbx-pri.map mapping/sip-trunk-prefix.map
MAPPING_CAUSES = mapping/causes-rfc3398.map mapping/causes-q1912.5.map
dist_sgmap_DATA = $(MAPPING_PLANS)
dist_pkgdata_DATA += $(MAPPING_CAUSES)
EXTRA_DIST += mapping/README.md

CALL_TESTS = tests/unit/call/test_route_parse tests/unit/call/test_route_match \
	tests/unit/call/test_route_reload tests/unit/call/test_cause \
	tests/unit/call/test_number
check_PROGRAMS += $(CALL_TESTS)
TESTS += $(CALL_TESTS) tests/mapping/check_shipped.sh
tests_unit_call_test_route_parse_SOURCES = tests/unit/call/test_route_parse.c
tests_unit_call_test_route_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_route_parse_LDADD = $(TEST_LDADD)
tests_unit_call_test_route_match_SOURCES = tests/unit/call/test_route_match.c
tests_unit_call_test_route_match_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_route_match_LDADD = $(TEST_LDADD)
tests_unit_call_test_route_reload_SOURCES = tests/unit/call/test_route_reload.c
tests_unit_call_test_route_reload_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_route_reload_LDADD = $(TEST_LDADD)
tests_unit_call_test_cause_SOURCES = tests/unit/call/test_cause.c
tests_unit_call_test_cause_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_cause_LDADD = $(TEST_LDADD)
tests_unit_call_test_number_SOURCES = tests/unit/call/test_number.c
tests_unit_call_test_number_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_number_LDADD = $(TEST_LDADD)
EXTRA_DIST += tests/unit/call/testdata tests/mapping/check_shipped.sh

# `make bench`: route decisions per second.
EXTRA_PROGRAMS += tests/bench/bench_route
BENCH_BINS += tests/bench/bench_route
tests_bench_bench_route_SOURCES = tests/bench/bench_route.c

FUZZ_TARGETS += tests/fuzz/fuzz_mapping
EXTRA_DIST += tests/fuzz/fuzz_mapping.c tests/fuzz/corpus/fuzz_mapping

# The gateway call FSM and its legs.
src_libstrowger_a_SOURCES += src/call/call.c src/call/call_fsm.c src/call/call_xfer.c
noinst_HEADERS += src/call/call.h src/call/call_int.h
check_PROGRAMS += tests/unit/call/test_call
TESTS += tests/unit/call/test_call
tests_unit_call_test_call_SOURCES = tests/unit/call/test_call.c tests/unit/call/call_fx.h
tests_unit_call_test_call_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_call_LDADD = $(TEST_LDADD)

# Call limits per trunk and span: concurrent calls and a token bucket.
src_libstrowger_a_SOURCES += src/call/limit.c
noinst_HEADERS += src/call/limit.h
check_PROGRAMS += tests/unit/call/test_limit
TESTS += tests/unit/call/test_limit
tests_unit_call_test_limit_SOURCES = tests/unit/call/test_limit.c
tests_unit_call_test_limit_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_limit_LDADD = $(TEST_LDADD)

# The ISDN leg: Q.931 calls behind struct call_leg, span groups.
src_libstrowger_a_SOURCES += src/call/leg_isdn.c
noinst_HEADERS += src/call/leg_isdn.h
check_PROGRAMS += tests/unit/call/test_leg_isdn
TESTS += tests/unit/call/test_leg_isdn
tests_unit_call_test_leg_isdn_SOURCES = tests/unit/call/test_leg_isdn.c tests/unit/call/call_fx.h
tests_unit_call_test_leg_isdn_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_isdn_LDADD = $(TEST_LDADD)

# The SIP leg: INVITE sessions behind struct call_leg, with their RTP streams.
src_libstrowger_a_SOURCES += src/call/leg_sip.c src/call/leg_sip_hdr.c \
	src/call/leg_sip_media.c src/call/leg_sip_refer.c \
	src/call/leg_sip_streams.c
noinst_HEADERS += src/call/leg_sip.h src/call/leg_sip_int.h
# Its suites share one fixture (leg_sip_fx.c): a far-end SIP stack on loopback.
LEG_SIP_FX = tests/unit/call/leg_sip_fx.c tests/unit/call/leg_sip_fx.h tests/unit/call/call_fx.h \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h
LEG_SIP_TESTS = tests/unit/call/test_leg_sip tests/unit/call/test_leg_sip_id \
	tests/unit/call/test_leg_sip_trunk tests/unit/call/test_leg_sip_reinvite
check_PROGRAMS += $(LEG_SIP_TESTS)
TESTS += $(LEG_SIP_TESTS)
tests_unit_call_test_leg_sip_SOURCES = tests/unit/call/test_leg_sip.c $(LEG_SIP_FX)
tests_unit_call_test_leg_sip_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_sip_LDADD = $(TEST_LDADD)
tests_unit_call_test_leg_sip_id_SOURCES = tests/unit/call/test_leg_sip_id.c $(LEG_SIP_FX)
tests_unit_call_test_leg_sip_id_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_sip_id_LDADD = $(TEST_LDADD)
tests_unit_call_test_leg_sip_trunk_SOURCES = tests/unit/call/test_leg_sip_trunk.c $(LEG_SIP_FX)
tests_unit_call_test_leg_sip_trunk_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_sip_trunk_LDADD = $(TEST_LDADD)
tests_unit_call_test_leg_sip_reinvite_SOURCES = tests/unit/call/test_leg_sip_reinvite.c \
	$(LEG_SIP_FX)
tests_unit_call_test_leg_sip_reinvite_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_sip_reinvite_LDADD = $(TEST_LDADD)

# Blind transfer (call_xfer.c) with fake legs.
check_PROGRAMS += tests/unit/call/test_call_xfer
TESTS += tests/unit/call/test_call_xfer
tests_unit_call_test_call_xfer_SOURCES = tests/unit/call/test_call_xfer.c
tests_unit_call_test_call_xfer_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_call_xfer_LDADD = $(TEST_LDADD)
# The SIP leg as transferee (leg_sip_refer.c) over the leg_sip fixture.
check_PROGRAMS += tests/unit/call/test_leg_sip_refer
TESTS += tests/unit/call/test_leg_sip_refer
tests_unit_call_test_leg_sip_refer_SOURCES = tests/unit/call/test_leg_sip_refer.c \
	$(LEG_SIP_FX)
tests_unit_call_test_leg_sip_refer_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_sip_refer_LDADD = $(TEST_LDADD)
# The SIP leg's answers to SRTP and T.38 offers (leg_sip_streams.c).
check_PROGRAMS += tests/unit/call/test_leg_sip_sdp
TESTS += tests/unit/call/test_leg_sip_sdp
tests_unit_call_test_leg_sip_sdp_SOURCES = tests/unit/call/test_leg_sip_sdp.c \
	$(LEG_SIP_FX)
tests_unit_call_test_leg_sip_sdp_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_leg_sip_sdp_LDADD = $(TEST_LDADD)
