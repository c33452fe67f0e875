# src/sip: build fragment (included by Makefile.am)
# SIP stack on libosip2: transport → txn → dialog → session (src/sip/README).

src_libstrowger_a_SOURCES += \
	src/sip/transport.c src/sip/transport_udp.c src/sip/transport_tcp.c \
	src/sip/transport_tls.c \
	src/sip/msg.c src/sip/msg_check.c src/sip/osip_pool.c \
	src/sip/txn.c src/sip/txn_timer.c src/sip/txn_index.c src/sip/txn_merge.c \
	src/sip/dialog.c src/sip/session.c src/sip/session_uac.c src/sip/stack.c \
	src/sip/session_ext.c src/sip/session_rel.c src/sip/session_update.c \
	src/sip/session_timer.c \
	src/sip/stack_overload.c src/sip/session_target.c src/sip/session_refer.c \
	src/sip/session_req.c src/sip/stack_request.c \
	src/sip/session_hop.c src/sip/session_glare.c \
	src/sip/sdp.c src/sip/sdp_ext.c
noinst_HEADERS += \
	src/sip/sip.h src/sip/transport.h src/sip/msg.h src/sip/txn.h src/sip/txn_priv.h \
	src/sip/dialog.h src/sip/session.h src/sip/session_ext.h src/sip/sdp.h src/sip/sdp_int.h
EXTRA_DIST += src/sip/README

# Unit tests: Criterion, virtual time, the test plays the far end.
SIP_TESTS = tests/unit/sip/test_sip tests/unit/sip/test_sip_uac tests/unit/sip/test_sdp \
	tests/unit/sip/test_sip_100rel tests/unit/sip/test_sip_timer tests/unit/sip/test_sip_update \
	tests/unit/sip/test_sip_overload tests/unit/sip/test_sip_target \
	tests/unit/sip/test_sip_refer \
	tests/unit/sip/test_txn_index
check_PROGRAMS += $(SIP_TESTS)
TESTS += $(SIP_TESTS)
SIP_FX = tests/unit/sip/sip_fx.c tests/unit/sip/sip_fx.h
tests_unit_sip_test_sip_SOURCES = tests/unit/sip/test_sip.c $(SIP_FX)
tests_unit_sip_test_sip_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_uac_SOURCES = tests/unit/sip/test_sip_uac.c $(SIP_FX)
tests_unit_sip_test_sip_uac_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_uac_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_100rel_SOURCES = tests/unit/sip/test_sip_100rel.c $(SIP_FX)
tests_unit_sip_test_sip_100rel_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_100rel_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_timer_SOURCES = tests/unit/sip/test_sip_timer.c $(SIP_FX)
tests_unit_sip_test_sip_timer_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_timer_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_update_SOURCES = tests/unit/sip/test_sip_update.c $(SIP_FX)
tests_unit_sip_test_sip_update_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_update_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_overload_SOURCES = tests/unit/sip/test_sip_overload.c $(SIP_FX)
tests_unit_sip_test_sip_overload_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_overload_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_target_SOURCES = tests/unit/sip/test_sip_target.c $(SIP_FX) \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h
tests_unit_sip_test_sip_target_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_target_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sip_refer_SOURCES = tests/unit/sip/test_sip_refer.c $(SIP_FX)
tests_unit_sip_test_sip_refer_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_refer_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_request
tests_unit_sip_test_sip_request_SOURCES = tests/unit/sip/test_sip_request.c $(SIP_FX)
tests_unit_sip_test_sip_request_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_request_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_uac_auth
tests_unit_sip_test_sip_uac_auth_SOURCES = tests/unit/sip/test_sip_uac_auth.c $(SIP_FX)
tests_unit_sip_test_sip_uac_auth_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_uac_auth_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_access
tests_unit_sip_test_sip_access_SOURCES = tests/unit/sip/test_sip_access.c $(SIP_FX)
tests_unit_sip_test_sip_access_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_access_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_dialog_id
tests_unit_sip_test_sip_dialog_id_SOURCES = tests/unit/sip/test_sip_dialog_id.c $(SIP_FX)
tests_unit_sip_test_sip_dialog_id_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_dialog_id_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_reg_target
tests_unit_sip_test_sip_reg_target_SOURCES = tests/unit/sip/test_sip_reg_target.c $(SIP_FX) \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h tests/unit/sip/tls_fx.c \
	tests/unit/sip/tls_fx.h
tests_unit_sip_test_sip_reg_target_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_reg_target_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_hop
tests_unit_sip_test_sip_hop_SOURCES = tests/unit/sip/test_sip_hop.c $(SIP_FX) \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h
tests_unit_sip_test_sip_hop_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_hop_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_glare
tests_unit_sip_test_sip_glare_SOURCES = tests/unit/sip/test_sip_glare.c $(SIP_FX)
tests_unit_sip_test_sip_glare_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_glare_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_prack_offer
tests_unit_sip_test_sip_prack_offer_SOURCES = tests/unit/sip/test_sip_prack_offer.c $(SIP_FX)
tests_unit_sip_test_sip_prack_offer_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_prack_offer_LDADD = $(TEST_LDADD)
SIP_TESTS += tests/unit/sip/test_sip_register
tests_unit_sip_test_sip_register_SOURCES = tests/unit/sip/test_sip_register.c $(SIP_FX)
tests_unit_sip_test_sip_register_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sip_register_LDADD = $(TEST_LDADD)
tests_unit_sip_test_sdp_SOURCES = tests/unit/sip/test_sdp.c
tests_unit_sip_test_sdp_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sdp_LDADD = $(TEST_LDADD)
tests_unit_sip_test_txn_index_SOURCES = tests/unit/sip/test_txn_index.c
tests_unit_sip_test_txn_index_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_txn_index_LDADD = $(TEST_LDADD)

# TLS and IPv6: certificates made at test time (tls_fx.c).
check_PROGRAMS += tests/unit/sip/test_tls
TESTS += tests/unit/sip/test_tls
tests_unit_sip_test_tls_SOURCES = tests/unit/sip/test_tls.c tests/unit/sip/tls_fx.c \
	tests/unit/sip/tls_fx.h
tests_unit_sip_test_tls_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_tls_LDADD = $(TEST_LDADD)

# Interop: SIPp against a minimal auto-answering UAS on these layers.
check_PROGRAMS += tests/interop/sip_uas
tests_interop_sip_uas_SOURCES = tests/interop/sip_uas.c
TESTS += tests/interop/sip_sipp.sh
EXTRA_DIST += tests/interop/sip_sipp.sh tests/interop/sip_uac_486.xml \
	tests/interop/sip_uac_cancel.xml tests/interop/sip_uac_hold.xml \
	tests/interop/sip_options.xml tests/interop/sip_uac_prack.xml \
	tests/interop/sip_uac_timer.xml
# Interop: baresip places calls to sip_uas and receives its calls (and the
# gateway's): tests/interop/sip_baresip.sh.
TESTS += tests/interop/sip_baresip.sh
EXTRA_DIST += tests/interop/sip_baresip.sh

# Benchmark (make bench): call cycles/s against SIPp, RFC 7502 style.
EXTRA_PROGRAMS += tests/bench/bench_sip
BENCH_BINS += tests/bench/bench_sip
tests_bench_bench_sip_SOURCES = tests/bench/bench_sip.c

# libFuzzer harnesses (make fuzz).
FUZZ_TARGETS += tests/fuzz/fuzz_sipmsg tests/fuzz/fuzz_sdp
EXTRA_DIST += tests/fuzz/fuzz_sipmsg.c tests/fuzz/fuzz_sdp.c \
	tests/fuzz/corpus/fuzz_sipmsg tests/fuzz/corpus/fuzz_sdp

# Digest authentication (RFC 7616) and server location (RFC 3263).
src_libstrowger_a_SOURCES += src/sip/auth.c src/sip/auth_parse.c src/sip/auth_srv.c \
	src/sip/uac_auth.c src/sip/session_auth.c src/sip/stack_access.c src/sip/register.c
noinst_HEADERS += src/sip/auth.h src/sip/uac_auth.h src/sip/register.h
check_PROGRAMS += tests/unit/sip/test_auth
TESTS += tests/unit/sip/test_auth
tests_unit_sip_test_auth_SOURCES = tests/unit/sip/test_auth.c
tests_unit_sip_test_auth_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_auth_LDADD = $(TEST_LDADD)
FUZZ_TARGETS += tests/fuzz/fuzz_auth
EXTRA_DIST += tests/fuzz/fuzz_auth.c tests/fuzz/corpus/fuzz_auth
src_libstrowger_a_SOURCES += src/sip/resolve.c src/sip/resolve_3263.c
noinst_HEADERS += src/sip/resolve.h src/sip/resolve_int.h
check_PROGRAMS += tests/unit/sip/test_resolve
TESTS += tests/unit/sip/test_resolve
tests_unit_sip_test_resolve_SOURCES = tests/unit/sip/test_resolve.c \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h
tests_unit_sip_test_resolve_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_resolve_LDADD = $(TEST_LDADD)

# a=crypto and T.38 attributes (sdp_ext.c).
check_PROGRAMS += tests/unit/sip/test_sdp_ext
TESTS += tests/unit/sip/test_sdp_ext
tests_unit_sip_test_sdp_ext_SOURCES = tests/unit/sip/test_sdp_ext.c
tests_unit_sip_test_sdp_ext_CFLAGS = $(TEST_CFLAGS)
tests_unit_sip_test_sdp_ext_LDADD = $(TEST_LDADD)
