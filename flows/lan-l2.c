/* A network's L2 forwarding on one switch (flows/lan-private.h): static
 * MACs, learning, trunks, flooding, and the physical LAN's side of a network
 * on one. */
#include <config.h>
#include "flows/lan-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "flows/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Appends to 's' (after a comma, unless empty) the actions that send a
 * packet out of port 'ofport'.  A trunk's port may be the one the packet came
 * in by (two endpoints of one trunk): OpenFlow never sends a packet back out
 * of its in_port, so the in_port is forgotten first; the trunk hands the
 * packet to its endpoints, never back to the one that sent it.  (Spelt as
 * the switch gives it back in a dump: "load:0->NXM_OF_IN_PORT[]" came back
 * as "set_field:0->in_port", and so the flow was sent again on every new
 * connection.) */
static void
put_port_output(struct ds *s, int64_t ofport, bool trunk)
{
    if (s->length) {
        ds_put_char(s, ',');
    }
    if (trunk) {
        ds_put_cstr(s, "set_field:0->in_port,");
    }
    ds_put_format(s, "output:%"PRId64, ofport);
}

/* Static L2 forwarding to a port with a fixed MAC. */
void
add_port_l2(const struct lan_network *net, const struct lan_port *p,
            struct flow_table *out, char **error)
{
    struct ds actions = DS_EMPTY_INITIALIZER;
    put_port_output(&actions, p->ofport, p->trunk);
    add(out, error, vnet_cookie(VNET_F_L2, p->object),
        "table=%d,priority=100,metadata=%"PRIu32",dl_dst="ETH_ADDR_FMT","
        "actions=%s", VNET_T_L2, net->segment_id,
        ETH_ADDR_BYTES_ARGS(p->mac), ds_cstr(&actions));
    ds_destroy(&actions);
}

/* What comes up trunk 'ofport' from none of its endpoints' MACs (one whose
 * flows are not in yet: the trunk lets through no other) is dropped. */
void
add_trunk(const struct lan_network *net, int64_t ofport,
          struct flow_table *out, char **error)
{
    add(out, error, vnet_cookie(VNET_F_PORT_SECURITY, net->object),
        "table=%d,priority=80,in_port=%"PRId64",actions=drop",
        VNET_T_INGRESS, ofport);
}

static int
compare_ofports(const void *a_, const void *b_)
{
    int64_t a = *(const int64_t *) a_, b = *(const int64_t *) b_;
    return a < b ? -1 : a > b;
}

size_t
lan_unique_ofports(int64_t *ports, size_t n)
{
    size_t k = 0;
    qsort(ports, n, sizeof *ports, compare_ofports);
    for (size_t i = 0; i < n; i++) {
        if (ports[i] > 0 && (!k || ports[k - 1] != ports[i])) {
            ports[k++] = ports[i];
        }
    }
    return k;
}

void
lan_flood_init(struct lan_flood *f, const struct lan_network *net)
{
    size_t room = net->n_ports + 1;
    f->ports = xmalloc(room * sizeof *f->ports);
    f->learners = xmalloc(room * sizeof *f->learners);
    f->trunks = xmalloc(room * sizeof *f->trunks);
    f->n_ports = f->n_learners = f->n_trunks = 0;
    for (size_t i = 0; i < net->n_ports; i++) {
        const struct lan_port *p = &net->ports[i];
        if (p->trunk) {
            f->trunks[f->n_trunks++] = p->ofport;
        } else {
            f->ports[f->n_ports++] = p->ofport;
            if (!p->has_mac) {
                f->learners[f->n_learners++] = p->ofport;
            }
        }
    }
    f->n_ports = lan_unique_ofports(f->ports, f->n_ports);
    f->n_learners = lan_unique_ofports(f->learners, f->n_learners);
    f->n_trunks = lan_unique_ofports(f->trunks, f->n_trunks);
}

void
lan_flood_destroy(struct lan_flood *f)
{
    free(f->ports);
    free(f->learners);
    free(f->trunks);
}

/* Learning, for ports without a fixed MAC. */
void
add_learn(const struct lan_network *net, struct flow_table *out, char **error)
{
    struct ds limit = DS_EMPTY_INITIALIZER;
    if (net->mac_limit > 0) {
        ds_put_format(&limit, "limit=%d,", net->mac_limit);
    }
    add(out, error, vnet_cookie(VNET_F_LEARN, net->object),
        "table=%d,priority=100,metadata=%"PRIu32","VNET_REG_UNSECURED"=1,"
        "actions=learn(table=%d,idle_timeout=%d,priority=50,%s"
        "cookie=0x%"PRIx64",OXM_OF_METADATA[],"
        "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),"
        "goto_table:%d",
        VNET_T_LEARN, net->segment_id, VNET_T_L2, LAN_LEARN_IDLE_TIMEOUT,
        ds_cstr(&limit), vnet_cookie(VNET_F_LEARNED, net->object),
        VNET_T_L2);
    ds_destroy(&limit);
}

/* Appends to 's' (after a comma, unless empty) the actions that send a
 * packet of 'net' to its physical LAN. */
static void
put_physnet_output(struct ds *s, const struct lan_network *net)
{
    if (s->length) {
        ds_put_char(s, ',');
    }
    if (net->vlan) {
        ds_put_format(s, "push_vlan:0x8100,set_field:%d->vlan_vid,",
                      net->vlan | 0x1000);
    }
    ds_put_format(s, "output:%"PRId64, net->physnet_ofport);
}

/* Table 0 for frames from the physical LAN: the VLAN (or its absence) says
 * which network.  Like traffic from another switch, they skip the ARP
 * responder and are flooded to local ports only. */
void
add_physnet_ingress(const struct lan_network *net, struct flow_table *out,
                    char **error)
{
    uint64_t c = vnet_cookie(VNET_F_PHYSNET, net->object);
    if (net->vlan) {
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
            "dl_vlan=%d,actions=pop_vlan,set_field:%"PRIu32"->metadata,"
            "set_field:1->"VNET_REG_TUNNEL",goto_table:%d", VNET_T_INGRESS,
            net->physnet_ofport, net->vlan, net->segment_id, VNET_T_LEARN);
    } else {
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
            "vlan_tci=0x0000/0x1fff,actions=set_field:%"PRIu32"->metadata,"
            "set_field:1->"VNET_REG_TUNNEL",goto_table:%d", VNET_T_INGRESS,
            net->physnet_ofport, net->segment_id, VNET_T_LEARN);
    }
}

/* Flooding in a network on a physical LAN, given 'local' (the actions that
 * flood to every local port): broadcast and multicast go to every local
 * port and, unless they came from the LAN, to the LAN; unknown unicast
 * (every endpoint's MAC is known, so it is for a host of the LAN, or a port
 * that learns) goes to the ports that learn and, from here, to the LAN. */
static void
add_physnet_flood(const struct lan_network *net, const struct lan_flood *f,
                  const struct ds *local, struct flow_table *out,
                  char **error)
{
    uint64_t c = vnet_cookie(VNET_F_FLOOD, net->object);
    const char *mcast = "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00";

    struct ds learners = DS_EMPTY_INITIALIZER;
    if (f->n_learners <= VNET_FLOOD_PART_PORTS) {
        for (size_t i = 0; i < f->n_learners; i++) {
            ds_put_format(&learners, "%soutput:%"PRId64, i ? "," : "",
                          f->learners[i]);
        }
    } else {
        ds_put_cstr(&learners, ds_cstr_ro(local));  /* Too many to pick. */
    }

    add(out, error, c, "table=%d,priority=12,metadata=%"PRIu32","
        VNET_REG_TUNNEL"=1,%s,actions=%s", VNET_T_L2, net->segment_id, mcast,
        local->length ? ds_cstr_ro(local) : "drop");
    add(out, error, c, "table=%d,priority=11,metadata=%"PRIu32","
        VNET_REG_TUNNEL"=1,actions=%s", VNET_T_L2, net->segment_id,
        learners.length ? ds_cstr(&learners) : "drop");

    struct ds all = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&all, ds_cstr_ro(local));
    put_physnet_output(&all, net);
    add(out, error, c, "table=%d,priority=10,metadata=%"PRIu32",%s,"
        "actions=%s", VNET_T_L2, net->segment_id, mcast, ds_cstr(&all));
    put_physnet_output(&learners, net);
    add(out, error, c, "table=%d,priority=9,metadata=%"PRIu32",actions=%s",
        VNET_T_L2, net->segment_id, ds_cstr(&learners));
    ds_destroy(&all);
    ds_destroy(&learners);
}

/* Broadcast, multicast and unknown unicast: every port of the network here
 * (OpenFlow never sends a packet back out of its in_port) and, for what did
 * not come from another switch, every switch that hosts it.  Relay outputs
 * go last: their VLAN tag must not reach local ports.  'trunks': the
 * network's ports here as 'f' has them. */
static void
add_flood(const struct lan_network *net, const struct lan_flood *f,
          struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_FLOOD, net->object);
    struct ds flood = DS_EMPTY_INITIALIZER;

    /* The ports of one endpoint each; a trunk once, last, since what goes
     * out of it forgets its in_port. */
    const int64_t *ports = f->ports;
    size_t n_ports = f->n_ports;

    if (n_ports <= VNET_FLOOD_PART_PORTS) {
        for (size_t i = 0; i < n_ports; i++) {
            ds_put_format(&flood, "%soutput:%"PRId64, i ? "," : "",
                          ports[i]);
        }
    } else {
        /* Too many for one flow: a flow per part in the flood table, and
         * here a resubmit to each. */
        struct ds part = DS_EMPTY_INITIALIZER;
        size_t n_parts = 0;
        for (size_t i = 0; i < n_ports; i += VNET_FLOOD_PART_PORTS) {
            size_t end = MIN(n_ports, i + VNET_FLOOD_PART_PORTS);
            ds_clear(&part);
            for (size_t j = i; j < end; j++) {
                ds_put_format(&part, "%soutput:%"PRId64, j > i ? "," : "",
                              ports[j]);
            }
            n_parts++;
            add(out, error, c, "table=%d,priority=10,metadata=%"PRIu32","
                VNET_REG_FLOOD_PART"=%"PRIuSIZE",actions=%s", VNET_T_FLOOD,
                net->segment_id, n_parts, ds_cstr(&part));
            ds_put_format(&flood, "%sset_field:%"PRIuSIZE"->"
                          VNET_REG_FLOOD_PART",resubmit(,%d)",
                          n_parts > 1 ? "," : "", n_parts, VNET_T_FLOOD);
        }
        ds_destroy(&part);
    }
    for (size_t i = 0; i < f->n_trunks; i++) {
        put_port_output(&flood, f->trunks[i], true);
    }
    if (net->physnet_ofport) {
        add_physnet_flood(net, f, &flood, out, error);
        ds_destroy(&flood);
        return;
    }
    if (net->n_ports) {
        add(out, error, c, "table=%d,priority=11,metadata=%"PRIu32","
            VNET_REG_TUNNEL"=1,actions=%s", VNET_T_L2, net->segment_id,
            ds_cstr(&flood));
    } else {
        add(out, error, c, "table=%d,priority=11,metadata=%"PRIu32","
            VNET_REG_TUNNEL"=1,actions=drop", VNET_T_L2, net->segment_id);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < net->n_remotes; i++) {
            const struct lan_remote *remote = &net->remotes[i];
            if (remote->relay == (pass == 1)
                && !(remote->relay && net->segment_id > 4094)) {
                lan_put_remote_output(&flood, net->segment_id, remote);
            }
        }
    }
    if (flood.length) {
        add(out, error, c, "table=%d,priority=10,metadata=%"PRIu32","
            "actions=%s", VNET_T_L2, net->segment_id, ds_cstr(&flood));
    }
    ds_destroy(&flood);
}

void
lan_fp_start(struct ds *fp)
{
    ds_clear(fp);
}

struct flow_table *
lan_open_unit(struct flow_units *units, enum lan_unit kind, uint32_t a,
              uint32_t b, const struct ds *fp)
{
    struct flow_unit_key key = { .kind = kind, .a = a, .b = b };
    return flow_units_open(units, &key, fp->string, fp->length);
}

void
lan_fp_put_remote(struct ds *fp, const struct lan_remote *r)
{
    FP_PUT(fp, r->ip);
    FP_PUT(fp, r->ofport);
    FP_PUT(fp, r->relay);
}

void
lan_flood_unit(const struct lan_network *net, const struct lan_flood *flood,
               struct flow_units *units, struct ds *fp, char **error)
{
    /* (The ports as a set: not how many endpoints a trunk carries, nor
     * the order the endpoints were found in.) */
    lan_fp_start(fp);
    FP_PUT(fp, net->segment_id);
    FP_PUT(fp, net->physnet_ofport);
    FP_PUT(fp, net->vlan);
    FP_PUT(fp, flood->n_ports);
    flow_fp_put(fp, flood->ports, flood->n_ports * sizeof *flood->ports);
    FP_PUT(fp, flood->n_learners);
    flow_fp_put(fp, flood->learners,
                flood->n_learners * sizeof *flood->learners);
    FP_PUT(fp, flood->n_trunks);
    flow_fp_put(fp, flood->trunks, flood->n_trunks * sizeof *flood->trunks);
    for (size_t i = 0; i < net->n_remotes; i++) {
        lan_fp_put_remote(fp, &net->remotes[i]);
    }
    struct flow_table *t = lan_open_unit(units, LAN_U_FLOOD, net->object, 0,
                                         fp);
    if (t) {
        add_flood(net, flood, t, error);
    }
}

struct lan_flood_net {
    struct lan_network net;     /* What the flood unit takes: the scalars,
                                 * how many ports, 'remotes' (a copy). */
    struct lan_flood flood;
};

struct lan_flood_net *
lan_flood_net_create(const struct lan_network *net)
{
    if (!net->n_ports) {
        return NULL;
    }
    struct lan_flood_net *fn = xzalloc(sizeof *fn);
    fn->net.object = net->object;
    fn->net.segment_id = net->segment_id;
    fn->net.n_ports = net->n_ports;
    fn->net.physnet = net->physnet;
    fn->net.physnet_ofport = net->physnet_ofport;
    fn->net.vlan = net->vlan;
    fn->net.n_remotes = net->n_remotes;
    fn->net.remotes = (net->n_remotes
                       ? xmemdup(net->remotes,
                                 net->n_remotes * sizeof *net->remotes)
                       : NULL);
    lan_flood_init(&fn->flood, net);
    return fn;
}

void
lan_flood_net_destroy(struct lan_flood_net *fn)
{
    if (fn) {
        free(CONST_CAST(struct lan_remote *, fn->net.remotes));
        lan_flood_destroy(&fn->flood);
        free(fn);
    }
}

/* Adds 'ofport' to the 'n' OpenFlow ports of '*ports' (in order, each
 * once), unless it is there or not above 0. */
static void
insert_ofport(int64_t **ports, size_t *n, int64_t ofport)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((*ports)[mid] < ofport) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (ofport <= 0 || (lo < *n && (*ports)[lo] == ofport)) {
        return;
    }
    *ports = xrealloc(*ports, (*n + 1) * sizeof **ports);
    memmove(&(*ports)[lo + 1], &(*ports)[lo], (*n - lo) * sizeof **ports);
    (*ports)[lo] = ofport;
    (*n)++;
}

/* Removes 'ofport' from the 'n' OpenFlow ports of '*ports' (in order),
 * if it is there. */
static void
remove_ofport(int64_t *ports, size_t *n, int64_t ofport)
{
    for (size_t i = 0; i < *n; i++) {
        if (ports[i] == ofport) {
            memmove(&ports[i], &ports[i + 1], (*n - i - 1) * sizeof *ports);
            (*n)--;
            return;
        }
    }
}

size_t
lan_flood_net_n_ports(const struct lan_flood_net *fn)
{
    return fn->net.n_ports;
}

void
lan_flood_net_remove_port(struct lan_flood_net *fn, const struct lan_port *p)
{
    ovs_assert(!p->trunk && fn->net.n_ports > 0);
    fn->net.n_ports--;
    remove_ofport(fn->flood.ports, &fn->flood.n_ports, p->ofport);
    remove_ofport(fn->flood.learners, &fn->flood.n_learners, p->ofport);
}

void
lan_flood_net_add_port(struct lan_flood_net *fn, const struct lan_port *p)
{
    ovs_assert(!p->trunk);
    fn->net.n_ports++;
    insert_ofport(&fn->flood.ports, &fn->flood.n_ports, p->ofport);
    if (!p->has_mac) {
        insert_ofport(&fn->flood.learners, &fn->flood.n_learners, p->ofport);
    }
}

char *
lan_flows_flood_unit(const struct lan_flood_net *fn, struct flow_units *units)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *error = NULL;
    lan_flood_unit(&fn->net, &fn->flood, units, &fp, &error);
    ds_destroy(&fp);
    return error;
}
