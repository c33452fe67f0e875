/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISDN controller: one libpri instance per D-channel, driven by the
 * core loop.
 *
 *   frames in:   owner -> isdn_ctrl_input() -> pri_check_event() -> io_read
 *   frames out:  libpri -> io_write -> ops->write() -> owner
 *   time:        pri_schedule_next() -> one loop timer -> pri_schedule_run()
 *
 * libpri adds two FCS bytes to every frame it writes and expects two on
 * every frame it reads, as DAHDI's HDLC mode does; the seam carries frames
 * without them.  Every call into libpri is bracketed by isdn_ctrl_enter()
 * and isdn_ctrl_leave(): enter points libpri's clock at the loop's clock
 * (isdn_time.c), leave re-arms the loop timer for libpri's next deadline.
 * (libpri.h declares pri_schedule_run_tv(), but Debian's libpri 1.6 does not
 * export it; pri_schedule_run() reads gettimeofday(), which inside libpri
 * is the loop clock, so it amounts to the same.)
 *
 * struct pri has no destructor in libpri: freeing a controller frees our
 * side and its calls, and leaves the struct pri (a few KB) allocated,
 * detached from us.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "pstn/isdn_int.h"
#include "pstn/isdn_q931.h"

/* The longest frame we pass on: Q.921 N201 (260) plus header, with room. */
#define ISDN_FRAME_MAX 512

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * NS_PER_S + (uint64_t)tv->tv_usec * NS_PER_US;
}

static void pri_timer_fired(void *arg);

void isdn_ctrl_enter(struct isdn_ctrl *ctrl)
{
	if (ctrl->in_pri++ == 0)
		isdn_time_set(ctrl->clk);
}

void isdn_ctrl_leave(struct isdn_ctrl *ctrl)
{
	if (--ctrl->in_pri > 0)
		return;
	struct timeval *tv = pri_schedule_next(ctrl->pri);
	isdn_time_set(NULL);
	if (!tv) {
		loop_timer_cancel(ctrl->loop, &ctrl->tmr);
		return;
	}
	uint64_t due = tv_ns(tv), now = loop_now(ctrl->loop);
	if (loop_timer_pending(&ctrl->tmr) && due == ctrl->tmr_due)
		return;
	ctrl->tmr_due = due;
	loop_timer_start(ctrl->loop, &ctrl->tmr, due > now ? due - now : 0, pri_timer_fired, ctrl);
}

/* Events are handled outside enter/leave: the call layer's handlers must see
 * the ordinary clock, and libpri's event stays valid until its next call. */
static void pri_timer_fired(void *arg)
{
	struct isdn_ctrl *ctrl = arg;
	pri_event *e;

	mem_ref(ctrl);
	do {
		isdn_ctrl_enter(ctrl);
		ctrl->tx_rc.valid = false;
		e = pri_schedule_run(ctrl->pri);
		isdn_ctrl_leave(ctrl);
		if (e)
			isdn_event_handle(ctrl, e);
		isdn_ctrl_reap(ctrl);
	} while (e);
	mem_deref(ctrl);
}

/* Trace and log one frame, decoded by the caller (rc, why from the decode). */
static void frame_log(struct isdn_ctrl *ctrl, const uint8_t *frame, size_t len, bool out,
		      const struct isdn_frame *f, int rc, const char *why)
{
	if (ctrl->pcap)
		isdn_pcap_write(ctrl->pcap, frame, len, out, ctrl->conf.role == ISDN_ROLE_NETWORK);
	if (rc) {
		LOGW(LC_ISDN, ctrl->obj, "%s malformed frame (%zu bytes): %s", out ? "TX" : "RX",
		     len, why);
		return;
	}
	if (log_enabled(LC_ISDN, f->has_l3 ? LL_INFO : LL_DEBUG)) {
		char line[256];
		isdn_frame_format(f, line, sizeof(line));
		LOG_(LC_ISDN, f->has_l3 ? LL_INFO : LL_DEBUG, ctrl->obj, "%s %s", out ? "TX" : "RX",
		     line);
	}
}

static bool frame_logged(const struct isdn_ctrl *ctrl)
{
	return ctrl->pcap || log_enabled(LC_ISDN, LL_INFO);
}

/* Our SETUP tells the call reference libpri chose; our RELEASE COMPLETE
 * that libpri is done with a call (see isdn_ctrl_reap). */
static void tx_note(struct isdn_ctrl *ctrl, const struct isdn_frame *f)
{
	if (!f->has_l3 || f->pd != Q931_PD_Q931)
		return;
	if (f->mt == Q931_SETUP) {
		ctrl->tx_setup_cref = f->cref;
	} else if (f->mt == Q931_RELEASE_COMPLETE) {
		ctrl->tx_rc.cref = f->cref;
		ctrl->tx_rc.flag = f->cref_flag;
		ctrl->tx_rc.valid = true;
	}
}

static int pri_io_write(struct pri *pri, void *buf, int buflen)
{
	struct isdn_ctrl *ctrl = pri_get_userdata(pri);
	struct isdn_frame f;
	const char *why = NULL;
	int rc = 0;

	if (!ctrl || buflen < 2)
		return -1;
	size_t len = (size_t)buflen - 2; /* the FCS placeholder */
	int mt = isdn_frame_mt(buf, len);
	bool logged = ctrl->phys_up && frame_logged(ctrl);
	if (logged || mt == Q931_SETUP || mt == Q931_RELEASE_COMPLETE) {
		rc = isdn_frame_decode(&f, buf, len, &why);
		if (!rc)
			tx_note(ctrl, &f);
	}
	if (!ctrl->phys_up)
		return buflen; /* the wire is dead: the frame is lost */
	if (logged)
		frame_log(ctrl, buf, len, true, &f, rc, why);
	return ctrl->ops->write(ctrl->ops_arg, buf, len) ? -1 : buflen;
}

static int pri_io_read(struct pri *pri, void *buf, int buflen)
{
	struct isdn_ctrl *ctrl = pri_get_userdata(pri);

	if (!ctrl || !ctrl->rx || buflen < 0 || ctrl->rx_len + 2 > (size_t)buflen)
		return 0;
	memcpy(buf, ctrl->rx, ctrl->rx_len);
	memset((uint8_t *)buf + ctrl->rx_len, 0, 2);
	int n = (int)ctrl->rx_len + 2;
	ctrl->rx = NULL;
	return n;
}

/* Remember the cause of a clearing message: libpri's hangup events carry
 * the cause value but not its location (Q.850 §2.2.4). */
static void note_cause(struct isdn_ctrl *ctrl, const struct isdn_frame *f)
{
	if (!f->has_l3 || !f->has_cause)
		return;
	ctrl->last_cause.cref = f->cref;
	ctrl->last_cause.flag = f->cref_flag;
	ctrl->last_cause.cause = f->cause;
	ctrl->last_cause.location = f->location;
	ctrl->last_cause.valid = true;
}

int isdn_ctrl_input(struct isdn_ctrl *ctrl, const uint8_t *frame, size_t len)
{
	struct isdn_frame f;
	const char *why = NULL;
	pri_event *e;

	if (ctrl->in_pri)
		return EBUSY;
	if (!ctrl->phys_up)
		return 0;
	int rc = isdn_frame_decode(&f, frame, len, &why);
	if (frame_logged(ctrl))
		frame_log(ctrl, frame, len, false, &f, rc, why);
	/* Q.931 §5.8.1/§5.8.2: a frame too short to carry a header, or longer
	 * than any D-channel frame, is ignored.  Anything else goes to libpri,
	 * which answers content errors with STATUS or RELEASE COMPLETE. */
	if (len < 3 || len > ISDN_FRAME_MAX) {
		LOGW(LC_ISDN, ctrl->obj, "RX frame of %zu bytes ignored", len);
		return 0;
	}
	if (!rc)
		note_cause(ctrl, &f);
	mem_ref(ctrl);
	isdn_ctrl_enter(ctrl);
	ctrl->rx = frame;
	ctrl->rx_len = len;
	ctrl->tx_rc.valid = false;
	e = pri_check_event(ctrl->pri);
	ctrl->rx = NULL;
	isdn_ctrl_leave(ctrl);
	if (e)
		isdn_event_handle(ctrl, e);
	isdn_ctrl_reap(ctrl);
	/* libpri 1.6 reports CONNECT ACKNOWLEDGE only in its manual mode:
	 * the user side learns of it from the frame itself (Q.931 §5.2.8). */
	if (!rc && f.has_l3 && f.pd == Q931_PD_Q931 && f.mt == Q931_CONNECT_ACK)
		isdn_ctrl_connect_ack(ctrl, f.cref, f.cref_flag);
	mem_deref(ctrl);
	return 0;
}

/* libpri's message and error hooks are process-global: route them to the
 * controller that produced them. */
static void pri_msg_hook(struct pri *pri, char *s)
{
	struct isdn_ctrl *ctrl = pri ? pri_get_userdata(pri) : NULL;
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		n--;
	LOGD(LC_ISDN, ctrl ? ctrl->obj : "isdn", "libpri: %.*s", (int)n, s);
}

static void pri_err_hook(struct pri *pri, char *s)
{
	struct isdn_ctrl *ctrl = pri ? pri_get_userdata(pri) : NULL;
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		n--;
	LOGN(LC_ISDN, ctrl ? ctrl->obj : "isdn", "libpri: %.*s", (int)n, s);
}

/* struct pri has no destructor.  The detached ones are kept here, reachable,
 * so that valgrind reports them as such and not as definite leaks (a few KB
 * each; bounded by the number of controllers a process ever makes). */
static struct pri **graveyard;
static size_t graveyard_n, graveyard_cap;

static void pri_graveyard_add(struct pri *pri)
{
	if (graveyard_n == graveyard_cap) {
		size_t cap = graveyard_cap ? graveyard_cap * 2 : 8;
		struct pri **v = realloc(graveyard, cap * sizeof(*v));
		if (!v)
			return;
		graveyard = v;
		graveyard_cap = cap;
	}
	graveyard[graveyard_n++] = pri;
}

static void ctrl_destroy(void *data)
{
	struct isdn_ctrl *ctrl = data;
	struct le *le, *n;

	list_for_each_safe(&ctrl->calls, le, n)
	{
		struct isdn_call *call = container_of(le, struct isdn_call, le);
		call->reported = true;
		isdn_ctrl_enter(ctrl);
		if (call->pc)
			pri_destroycall(ctrl->pri, call->pc);
		call->pc = NULL;
		isdn_ctrl_leave(ctrl);
		isdn_call_free(call);
	}
	loop_timer_cancel(ctrl->loop, &ctrl->tmr);
	if (ctrl->pri) {
		pri_set_userdata(ctrl->pri, NULL); /* no destructor: leave it detached */
		pri_graveyard_add(ctrl->pri);
	}
	mem_deref(ctrl->pcap);
	mem_deref(ctrl->loop);
}

static struct pri *pri_create(const struct isdn_conf *c, void *ud)
{
	int node = c->role == ISDN_ROLE_NETWORK ? PRI_NETWORK : PRI_CPE;
	int sw = isdn_switch_to_pri(c->sw);

	if (c->iface == ISDN_BRI_PTP || c->iface == ISDN_BRI_PTMP)
		return pri_new_bri_cb(-1, c->iface == ISDN_BRI_PTP, node, sw, pri_io_read,
				      pri_io_write, ud);
	return pri_new_cb(-1, node, sw, pri_io_read, pri_io_write, ud);
}

/* After creation libpri has timers running (T200 for SABME, or TEI
 * assignment); their deadline tells whether it reads our clock. */
static int check_clock(struct isdn_ctrl *ctrl)
{
	struct timeval *tv = pri_schedule_next(ctrl->pri);
	if (!tv)
		return 0;
	uint64_t due = tv_ns(tv), now = loop_now(ctrl->loop);
	if (due > now + 3600 * NS_PER_S) {
		LOGE(LC_ISDN, ctrl->obj,
		     "libpri does not read the loop clock "
		     "(gettimeofday not interposed): refusing to run");
		return ENOTSUP;
	}
	return 0;
}

static void pri_setup_options(struct isdn_ctrl *ctrl)
{
	static bool hooks;
	if (!hooks) {
		pri_set_message(pri_msg_hook);
		pri_set_error(pri_err_hook);
		hooks = true;
	}
	pri_set_debug(ctrl->pri, (int)ctrl->conf.debug);
	pri_set_overlapdial(ctrl->pri, ctrl->conf.overlap);
	pri_hangup_fix_enable(ctrl->pri, 1);
	pri_set_inbanddisconnect(ctrl->pri, 0);
	if (isdn_ctrl_has_service(ctrl))
		pri_set_service_message_support(ctrl->pri, 1);
}

int isdn_ctrl_alloc(struct isdn_ctrl **ctrlp, struct loop *loop, const struct isdn_conf *conf,
		    const struct isdn_dchan_ops *ops, void *ops_arg, const struct isdn_handlers *h,
		    void *arg)
{
	char why[128];
	if (!ctrlp || !loop || !conf || !ops || !ops->write)
		return EINVAL;
	if (isdn_conf_check(conf, why, sizeof(why))) {
		LOGE(LC_ISDN, conf->name, "%s", why);
		return EINVAL;
	}
	struct isdn_ctrl *ctrl = mem_zalloc(sizeof(*ctrl), ctrl_destroy);
	if (!ctrl)
		return ENOMEM;
	ctrl->conf = *conf;
	ctrl->loop = mem_ref(loop);
	ctrl->clk = loop_clock(loop);
	ctrl->ops = ops;
	ctrl->ops_arg = ops_arg;
	if (h)
		ctrl->h = *h;
	ctrl->arg = arg;
	ctrl->phys_up = true;
	list_init(&ctrl->calls);
	loop_timer_init(&ctrl->tmr);
	snprintf(ctrl->obj, sizeof(ctrl->obj), "isdn %s", conf->name[0] ? conf->name : "?");
	isdn_chan_init(ctrl);

	isdn_ctrl_enter(ctrl);
	ctrl->pri = pri_create(conf, ctrl);
	int rc = ctrl->pri ? check_clock(ctrl) : ENOMEM;
	if (!rc)
		pri_setup_options(ctrl);
	isdn_ctrl_leave(ctrl);
	if (rc) {
		mem_deref(ctrl);
		return rc;
	}
	LOGI(LC_ISDN, ctrl->obj, "%s %s %s started", isdn_role_name(conf->role),
	     isdn_switch_name(conf->sw), isdn_iface_name(conf->iface));
	*ctrlp = ctrl;
	return 0;
}

void isdn_ctrl_link_down(struct isdn_ctrl *ctrl)
{
	if (!ctrl->phys_up)
		return;
	LOGN(LC_ISDN, ctrl->obj, "physical layer down");
	ctrl->phys_up = false;
	isdn_ctrl_lose_calls(ctrl);
}

void isdn_ctrl_link_up(struct isdn_ctrl *ctrl)
{
	if (ctrl->phys_up)
		return;
	LOGN(LC_ISDN, ctrl->obj, "physical layer up");
	ctrl->phys_up = true;
}

bool isdn_ctrl_is_up(const struct isdn_ctrl *ctrl)
{
	return ctrl->dchan_up && ctrl->phys_up;
}

/* libpri 1.6 cannot send a RESTART for the whole interface (restart class
 * 7): pri_restart() returns 0 and sends nothing.  So the interface is
 * restarted channel by channel (class 0, Q.931 §5.5.1), which the far end
 * handles the same way. */
int isdn_ctrl_restart(struct isdn_ctrl *ctrl, int chan)
{
	int rc = 0;
	if (chan < 0 || chan > ISDN_MAX_CHAN || (chan && !ctrl->chans[chan].exists))
		return EINVAL;
	if (!isdn_ctrl_is_up(ctrl))
		return ENOTCONN;
	for (int c = chan ? chan : 1; c <= (chan ? chan : ISDN_MAX_CHAN); c++) {
		if (!ctrl->chans[c].exists)
			continue;
		isdn_ctrl_enter(ctrl);
		if (pri_reset(ctrl->pri, c))
			rc = EIO;
		isdn_ctrl_leave(ctrl);
	}
	LOGI(LC_ISDN, ctrl->obj, "RESTART %s%.0d sent", chan ? "channel " : "all channels", chan);
	/* then clear: a call placed from a hangup handler follows the RESTART */
	isdn_ctrl_clear_calls(ctrl, chan, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE);
	return rc;
}

/* SERVICE messages (maintenance protocol discriminator) exist on the North
 * American switch types; elsewhere a channel out of service is only ours. */
bool isdn_ctrl_has_service(const struct isdn_ctrl *ctrl)
{
	return ctrl->conf.sw == ISDN_SW_NI2 || ctrl->conf.sw == ISDN_SW_4ESS ||
	       ctrl->conf.sw == ISDN_SW_5ESS;
}

void isdn_ctrl_chan_set_maint(struct isdn_ctrl *ctrl, int chan, bool oos, bool tell)
{
	ctrl->chans[chan].maint = oos;
	LOGI(LC_ISDN, ctrl->obj, "channel %d %s%s", chan, oos ? "out of service" : "in service",
	     tell ? "" : " (far end)");
	if (!tell || !isdn_ctrl_has_service(ctrl) || !isdn_ctrl_is_up(ctrl))
		return;
	isdn_ctrl_enter(ctrl);
	pri_maintenance_service(ctrl->pri, 0, chan, oos ? 2 : 0); /* 2: out of service */
	isdn_ctrl_leave(ctrl);
}

int isdn_ctrl_chan_maint(struct isdn_ctrl *ctrl, int chan, bool out_of_service)
{
	if (chan <= 0 || chan > ISDN_MAX_CHAN || !ctrl->chans[chan].exists)
		return EINVAL;
	isdn_ctrl_chan_set_maint(ctrl, chan, out_of_service, true);
	return 0;
}

struct isdn_call *isdn_ctrl_chan_call(const struct isdn_ctrl *ctrl, int chan)
{
	if (chan <= 0 || chan > ISDN_MAX_CHAN)
		return NULL;
	return ctrl->chans[chan].call;
}

bool isdn_ctrl_chan_exists(const struct isdn_ctrl *ctrl, int chan)
{
	return chan > 0 && chan <= ISDN_MAX_CHAN && ctrl->chans[chan].exists;
}

bool isdn_ctrl_chan_oos(const struct isdn_ctrl *ctrl, int chan)
{
	return isdn_ctrl_chan_exists(ctrl, chan) && ctrl->chans[chan].maint;
}

unsigned isdn_ctrl_ncalls(const struct isdn_ctrl *ctrl)
{
	return ctrl->ncalls;
}

const char *isdn_ctrl_name(const struct isdn_ctrl *ctrl)
{
	return ctrl->conf.name;
}

void isdn_ctrl_trace(struct isdn_ctrl *ctrl, struct isdn_pcap *pc)
{
	mem_deref(ctrl->pcap);
	ctrl->pcap = mem_ref(pc);
}
