/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated switch or PBX: the far end of a simulated span, an ISDN
 * controller (libpri, in the role opposite the gateway's) run by a script.
 * It sits behind the same D-channel seam as the gateway (isdn_dchan_ops and
 * isdn_ctrl_input on isdn_simsw_ctrl()), so a test, the simulation or
 * strowger-sim can put it on any span.
 *
 * Script language: one statement per line, '#' starts a comment, words are
 * separated by blanks, durations are "500ms", "2s", "1m" (bare numbers: ms).
 *
 *   on PATTERN ACTION...        how to treat a call to a called number
 *   call NUMBER [OPTION...] [then ACTION...]
 *                               place a call into the gateway
 *
 * PATTERN: a called number; a trailing '*' matches any rest ("49*", "*").
 * The first matching `on` wins; a call no `on` matches is rejected with 1.
 *
 * ACTIONs run in order; `wait` pauses:
 *   proceeding | alert [inband] | progress [inband] | setup_ack
 *   answer | wait DURATION | reject CAUSE | hangup CAUSE
 *   collect N        (overlap receiving: wait until the called number has
 *                     N digits, INFORMATION by INFORMATION)
 *   never            (stop here: the call stays as it is, e.g. ringing)
 *   tone NAME        play a tone of the zone on the B-channel: dial, busy,
 *                    ringback, congestion, callwait, dialrecall, record, info;
 *                    or a frequency (50-3999): a steady test tone ("tone 1004")
 *   echo | record | silence
 *                    send back what arrives, keep what arrives
 *                    (isdn_simsw_recording), or send nothing
 *   (audio needs isdn_simsw_media(); without it these are logged and skipped)
 *
 * `call` OPTIONs:
 *   from NUMBER            calling number
 *   pres allowed|restricted|unavailable
 *   screen user|passed|failed|network
 *   ton unknown|international|national|subscriber
 *   overlap DIGITS         send NUMBER in the SETUP, DIGITS in INFORMATION
 *                          once the gateway sends SETUP ACKNOWLEDGE
 *   at DURATION            when, after the script starts (default 0)
 *   abandon DURATION       the caller gives up (DISCONNECT 16) if the call
 *                          is not answered within DURATION of its SETUP
 * and `then ACTION...` runs once the gateway answers (typically
 * "then wait 10s hangup 16").
 *
 * Example:
 *   on 200 proceeding alert inband wait 3s answer wait 10s hangup 16
 *   on 300 reject 17
 *   on 4* proceeding progress inband never
 *   on * proceeding alert never
 *   call 100 from 5551234 pres restricted at 1s then wait 5s hangup 16
 *
 * Everything the switch hears and does is kept as text, one line per event
 * ("rx setup 200 from 100", "tx answer", "rx hangup 16"), for tests.
 * Audio is paced by the B-channel: one block sent per block received.
 */
#ifndef STROWGER_PSTN_ISDN_SWITCH_H
#define STROWGER_PSTN_ISDN_SWITCH_H

#include <stddef.h>

#include "pstn/isdn.h"

struct isdn_simsw;

/* A mem object running a controller with `conf` on `loop` behind `ops`. */
int isdn_simsw_alloc(struct isdn_simsw **swp, struct loop *loop, const struct isdn_conf *conf,
		     const struct isdn_dchan_ops *ops, void *ops_arg);
/* Parse `text` (named `name` in messages) and start it: `call`s are
 * scheduled from now.  EINVAL with "name:line: reason" in err; EBUSY while
 * calls of an earlier script are in progress. */
int isdn_simsw_load(struct isdn_simsw *sw, const char *name, const char *text, char *err,
		    size_t errlen);
/* B-channel audio through `tdm`: the B-channel c of a call is global DAHDI
 * channel chan_base + c - 1; tones come from libtonezone zone `zone`
 * ("us", "de").  EINVAL for an unknown zone. */
int isdn_simsw_media(struct isdn_simsw *sw, struct tdm *tdm, unsigned chan_base, const char *zone);
/* The samples (16-bit linear, 8 kHz) recorded by the last call that ended
 * with `record` running, or NULL; *n their count. */
const int16_t *isdn_simsw_recording(const struct isdn_simsw *sw, size_t *n);
/* The same from a file (at most 64 KiB): for strowger-sim and the like. */
int isdn_simsw_load_file(struct isdn_simsw *sw, const char *path, char *err, size_t errlen);
struct isdn_ctrl *isdn_simsw_ctrl(const struct isdn_simsw *sw);
/* What happened so far, one event per line. */
const char *isdn_simsw_log(const struct isdn_simsw *sw);

#endif
