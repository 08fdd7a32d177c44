#include <config.h>
#include "controller/switch-db.h"
#include "controller/switch-db-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/switch-news.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/vlog.h"
#include "ovsdb/names.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_db);

/* OpenFlow versions on our bridges: 1.0 so that a plain "ovs-ofctl dump-flows"
 * works, 1.3 to 1.5 for ovs-vnetd (bundles need 1.4). */
static const char *bridge_protocols[] = {
    "OpenFlow10", "OpenFlow13", "OpenFlow14", "OpenFlow15",
};

/* How fast the switch retries connecting to ovs-vnetd (ms).  A restarted
 * controller is found again within a second. */
#define CONTROLLER_MAX_BACKOFF 1000
/* Packets a second the switch sends ovs-vnetd (packet-ins), at most. */
#define CONTROLLER_RATE_LIMIT 1000

struct ovsdb_idl_index *
switch_db_register(struct ovsdb_idl *idl,
                   struct ovsdb_idl_index **ports_by_name)
{
    ovsdb_idl_add_table(idl, &ovsrec_table_open_vswitch);
    switch_news_add_column(idl, &ovsrec_open_vswitch_col_bridges);
    switch_news_add_column(idl, &ovsrec_open_vswitch_col_external_ids);
    switch_news_add_column(idl, &ovsrec_open_vswitch_col_ovs_version);
    switch_news_add_column(idl, &ovsrec_open_vswitch_col_datapath_types);
    switch_news_add_column(idl, &ovsrec_open_vswitch_col_other_config);
    /* How far ovs-vswitchd has reconfigured (see struct stale_ports). */
    switch_news_add_column(idl, &ovsrec_open_vswitch_col_cur_cfg);

    ovsdb_idl_add_table(idl, &ovsrec_table_bridge);
    switch_news_add_column(idl, &ovsrec_bridge_col_name);
    switch_news_add_column(idl, &ovsrec_bridge_col_ports);
    switch_news_add_column(idl, &ovsrec_bridge_col_controller);
    switch_news_add_column(idl, &ovsrec_bridge_col_fail_mode);
    switch_news_add_column(idl, &ovsrec_bridge_col_datapath_type);
    switch_news_add_column(idl, &ovsrec_bridge_col_protocols);
    switch_news_add_column(idl, &ovsrec_bridge_col_external_ids);
    switch_news_add_column(idl, &ovsrec_bridge_col_datapath_id);
    switch_news_add_column(idl, &ovsrec_bridge_col_other_config);

    ovsdb_idl_add_table(idl, &ovsrec_table_port);
    switch_news_add_column(idl, &ovsrec_port_col_name);
    switch_news_add_column(idl, &ovsrec_port_col_interfaces);
    switch_news_add_column(idl, &ovsrec_port_col_external_ids);

    ovsdb_idl_add_table(idl, &ovsrec_table_interface);
    switch_news_add_column(idl, &ovsrec_interface_col_name);
    switch_news_add_column(idl, &ovsrec_interface_col_type);
    switch_news_add_column(idl, &ovsrec_interface_col_ofport);
    switch_news_add_column(idl, &ovsrec_interface_col_external_ids);
    switch_news_add_column(idl, &ovsrec_interface_col_error);
    switch_news_add_column(idl, &ovsrec_interface_col_options);

    ovsdb_idl_add_table(idl, &ovsrec_table_controller);
    switch_news_add_column(idl, &ovsrec_controller_col_target);
    switch_news_add_column(idl, &ovsrec_controller_col_max_backoff);
    switch_news_add_column(idl, &ovsrec_controller_col_inactivity_probe);
    switch_news_add_column(idl, &ovsrec_controller_col_controller_rate_limit);
    switch_news_add_column(idl, &ovsrec_controller_col_external_ids);
    switch_news_add_column(idl, &ovsrec_controller_col_is_connected);

    *ports_by_name = ovsdb_idl_index_create1(idl, &ovsrec_port_col_name);
    return ovsdb_idl_index_create1(idl, &ovsrec_interface_col_name);
}

const struct ovsrec_interface *
switch_db_find_iface(struct ovsdb_idl_index *by_name, const char *name)
{
    /* (A key row takes one name: writing another over it would leave the
     * first one's string behind.) */
    struct ovsrec_interface *key = ovsrec_interface_index_init_row(by_name);
    ovsrec_interface_index_set_name(key, name);
    const struct ovsrec_interface *iface
        = ovsrec_interface_index_find(by_name, key);
    ovsrec_interface_index_destroy_row(key);
    return iface;
}

int64_t
switch_db_ofport(struct ovsdb_idl_index *by_name, const char *name)
{
    const struct ovsrec_interface *iface = switch_db_find_iface(by_name,
                                                                name);
    return iface && iface->n_ofport && iface->ofport[0] > 0
           ? iface->ofport[0] : 0;
}

const struct ovsrec_bridge *
switch_db_find_bridge(const struct ovsdb_idl *idl, const char *name)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

const char *
switch_db_controller_target(const struct ovsdb_idl *idl, const char *bridge)
{
    const struct ovsrec_bridge *br = switch_db_find_bridge(idl, bridge);
    return br && br->n_controller == 1 ? br->controller[0]->target : NULL;
}

size_t
switch_db_bridge_n_ports(const struct ovsdb_idl *idl, const char *bridge)
{
    const struct ovsrec_bridge *br = switch_db_find_bridge(idl, bridge);
    return br ? br->n_ports : 0;
}

void
switch_db_our_ports(const struct ovsdb_idl *idl, const char *owner,
                    struct sset *names)
{
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH (port, idl) {
        const char *value = smap_get(&port->external_ids, VNET_EXTID_OWNER);
        if (value && !strcmp(value, owner)) {
            sset_add(names, port->name);
        }
    }
}

static bool
bridge_is_ours(const struct ovsrec_bridge *br, const char *owner)
{
    const char *value = smap_get(&br->external_ids, VNET_EXTID_OWNER);
    return value && !strcmp(value, owner);
}

static bool
protocols_match(const struct ovsrec_bridge *br)
{
    if (br->n_protocols != ARRAY_SIZE(bridge_protocols)) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(bridge_protocols); i++) {
        bool found = false;
        for (size_t j = 0; j < br->n_protocols; j++) {
            found = found || !strcmp(br->protocols[j], bridge_protocols[i]);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

static void
delete_bridge(const struct ovsrec_open_vswitch *ovs,
              const struct ovsrec_bridge *br)
{
    VLOG_INFO("deleting bridge %s", br->name);
    ovsrec_open_vswitch_update_bridges_delvalue(ovs, br);
    ovsrec_bridge_delete(br);
}

static const struct ovsrec_controller *
create_controller(struct ovsdb_idl_txn *txn, const struct switch_db_config *cfg)
{
    struct ovsrec_controller *c = ovsrec_controller_insert(txn);
    int64_t backoff = CONTROLLER_MAX_BACKOFF;

    ovsrec_controller_set_target(c, cfg->controller_target);
    ovsrec_controller_set_max_backoff(c, &backoff, 1);
    /* No inactivity probes over the Unix socket, either way: it closes when
     * ovs-vnetd dies, and a controller busy for seconds is not dead. */
    int64_t no_probe = 0;
    ovsrec_controller_set_inactivity_probe(c, &no_probe, 1);
    /* The packets of ports without flows yet (held until their flows are
     * in): a port that sends and never gets flows costs this much at most. */
    int64_t rate = CONTROLLER_RATE_LIMIT;
    ovsrec_controller_set_controller_rate_limit(c, &rate, 1);
    ovsrec_controller_update_external_ids_setkey(c, VNET_EXTID_OWNER,
                                                  cfg->owner);
    return c;
}

static void
create_bridge(struct ovsdb_idl_txn *txn, const struct ovsrec_open_vswitch *ovs,
              const struct switch_db_config *cfg)
{
    VLOG_INFO("creating bridge %s (datapath %s)", cfg->bridge,
              cfg->datapath_type);

    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, cfg->bridge);
    ovsrec_interface_set_type(iface, "internal");

    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, cfg->bridge);
    ovsrec_port_set_interfaces(port, &iface, 1);
    ovsrec_port_update_external_ids_setkey(port, VNET_EXTID_OWNER, cfg->owner);

    struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
    ovsrec_bridge_set_name(br, cfg->bridge);
    ovsrec_bridge_set_ports(br, &port, 1);
    ovsrec_bridge_set_fail_mode(br, "secure");
    ovsrec_bridge_set_datapath_type(br, cfg->datapath_type);
    ovsrec_bridge_set_protocols(br, bridge_protocols,
                                ARRAY_SIZE(bridge_protocols));
    ovsrec_bridge_update_external_ids_setkey(br, VNET_EXTID_OWNER, cfg->owner);

    struct ovsrec_controller *c
        = CONST_CAST(struct ovsrec_controller *, create_controller(txn, cfg));
    ovsrec_bridge_set_controller(br, &c, 1);

    ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
}

/* Brings our existing bridge 'br' to 'cfg'.  Returns true if it changed
 * anything. */
static bool
update_bridge(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
              const struct switch_db_config *cfg, bool *controller_connected)
{
    bool changed = false;

    if (!br->fail_mode || strcmp(br->fail_mode, "secure")) {
        ovsrec_bridge_set_fail_mode(br, "secure");
        changed = true;
    }
    if (strcmp(br->datapath_type, cfg->datapath_type)) {
        VLOG_INFO("bridge %s: datapath type %s -> %s", br->name,
                  br->datapath_type[0] ? br->datapath_type : "system",
                  cfg->datapath_type);
        ovsrec_bridge_set_datapath_type(br, cfg->datapath_type);
        changed = true;
    }
    if (!protocols_match(br)) {
        ovsrec_bridge_set_protocols(br, bridge_protocols,
                                    ARRAY_SIZE(bridge_protocols));
        changed = true;
    }

    /* Exactly one controller: ours. */
    const struct ovsrec_controller *c = br->n_controller == 1
                                        ? br->controller[0] : NULL;
    if (!c || strcmp(c->target, cfg->controller_target)
        || c->n_max_backoff != 1
        || c->max_backoff[0] != CONTROLLER_MAX_BACKOFF
        || c->n_inactivity_probe != 1 || c->inactivity_probe[0] != 0
        || c->n_controller_rate_limit != 1
        || c->controller_rate_limit[0] != CONTROLLER_RATE_LIMIT) {
        struct ovsrec_controller *nc
            = CONST_CAST(struct ovsrec_controller *,
                         create_controller(txn, cfg));
        ovsrec_bridge_set_controller(br, &nc, 1);
        changed = true;
        *controller_connected = false;
    } else {
        *controller_connected = c->is_connected;
    }
    return changed;
}



/* Inserts port 'want' (with its interface) into bridge 'br' in 'txn',
 * recorded in 'news' (if nonnull) as one to come back. */
static void
insert_port_of(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
               const struct switch_db_port *want, const char *owner,
               struct switch_news *news)
{
    VLOG_INFO("bridge %s: adding port %s%s%s", br->name, want->name,
              want->iface_id ? " for " : "",
              want->iface_id ? want->iface_id : "");
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, want->name);
    if (want->type) {
        ovsrec_interface_set_type(iface, want->type);
    }
    if (want->options) {
        ovsrec_interface_set_options(iface, want->options);
    }
    switch_db_sync_ids(iface, want, owner, MARK_KEEP);

    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, want->name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    const struct smap port_ids = SMAP_CONST1(&port_ids, VNET_EXTID_OWNER,
                                             owner);
    ovsrec_port_set_external_ids(port, &port_ids);
    if (news) {
        switch_news_expect_insert(news, port);
    }
    ovsrec_bridge_update_ports_addvalue(br, port);
}

struct switch_db_result_index {
    size_t n;                   /* The first 'n' bindings are in: */
    struct simap by_ifname;     /* name -> position (the last of a name), */
    struct simap plugged;       /* the iface-ids of those plugged by others
                                 * -> how many have each. */
};

/* Gives 'r' its (empty) indexes, if it has none yet: a result that has
 * bindings has them. */
static void
result_index_make(struct switch_db_result *r)
{
    if (!r->index) {
        r->index = xmalloc(sizeof *r->index);
        r->index->n = 0;
        simap_init(&r->index->by_ifname);
        simap_init(&r->index->plugged);
    }
}

/* Brings 'r''s indexes up to its bindings and returns them (NULL: 'r' has
 * none, nor any binding). */
static const struct switch_db_result_index *
result_indexed(const struct switch_db_result *r)
{
    struct switch_db_result_index *ix = r->index;
    if (ix) {
        for (; ix->n < r->n_bindings; ix->n++) {
            const struct switch_db_binding *b = &r->bindings[ix->n];
            simap_put(&ix->by_ifname, b->ifname, ix->n);
            if (!b->ours && b->iface_id) {
                simap_increase(&ix->plugged, b->iface_id, 1);
            }
        }
    }
    return ix;
}

const struct switch_db_binding *
switch_db_result_find(const struct switch_db_result *r, const char *ifname)
{
    const struct switch_db_result_index *ix = result_indexed(r);
    const struct simap_node *node = ix ? simap_find(&ix->by_ifname, ifname)
                                       : NULL;
    return node ? &r->bindings[node->data] : NULL;
}

bool
switch_db_result_plugged_for(const struct switch_db_result *r,
                             const char *iface_id)
{
    return switch_db_result_n_plugged_for(r, iface_id) > 0;
}

size_t
switch_db_result_n_plugged_for(const struct switch_db_result *r,
                               const char *iface_id)
{
    const struct switch_db_result_index *ix = result_indexed(r);
    return ix ? simap_get(&ix->plugged, iface_id) : 0;
}

static void
result_add(struct switch_db_result *r, const char *ifname,
           const char *iface_id, int64_t ofport, bool ours)
{
    result_index_make(r);
    r->bindings = xrealloc(r->bindings,
                           (r->n_bindings + 1) * sizeof *r->bindings);
    r->bindings[r->n_bindings++] = (struct switch_db_binding) {
        .iface_id = nullable_xstrdup(iface_id),
        .ifname = xstrdup(ifname),
        .ofport = ofport,
        .ours = ours,
    };
}

void
switch_db_result_bind(struct switch_db_result *r, const char *ifname,
                      const char *iface_id, int64_t ofport)
{
    struct switch_db_binding *b = CONST_CAST(struct switch_db_binding *,
                                             switch_db_result_find(r, ifname));
    if (b) {
        b->ofport = ofport;
        if (!b->ours && !b->iface_id) {
            /* Unbound before (switch_db_result_unbind()). */
            b->ours = true;
            b->iface_id = nullable_xstrdup(iface_id);
        }
    } else {
        result_add(r, ifname, iface_id, ofport, true);
    }
}

void
switch_db_result_unbind(struct switch_db_result *r, const char *ifname)
{
    struct switch_db_binding *b = CONST_CAST(struct switch_db_binding *,
                                             switch_db_result_find(r, ifname));
    if (b && (b->ours || b->iface_id)) {
        /* (It keeps its place, and its name in the index: bound again, it
         * is found there.) */
        if (!b->ours) {
            /* (Indexed: switch_db_result_find() brought the index up to
             * it.) */
            struct simap_node *node = simap_find(&r->index->plugged,
                                                 b->iface_id);
            if (node && !--node->data) {
                simap_delete(&r->index->plugged, node);
            }
        }
        free(b->iface_id);
        b->iface_id = NULL;
        free(b->error);
        b->error = NULL;
        b->ofport = 0;
        b->ours = false;
    }
}

void
switch_db_result_plugged(struct switch_db_result *r, const char *ifname,
                         const char *iface_id)
{
    result_add(r, ifname, iface_id, 0, false);
}

/* Fills 'st' with what was made for our port 'port' (with interface
 * 'iface', or NULL). */
static void
stale_of(const struct ovsrec_port *port, const struct ovsrec_interface *iface,
         struct switch_db_stale *st)
{
    st->ifname = xstrdup(port->name);
    st->iface_id = nullable_xstrdup(
        iface ? smap_get(&iface->external_ids, "iface-id") : NULL);
    st->netns = nullable_xstrdup(
        iface ? smap_get(&iface->external_ids, "vnet-netns") : NULL);
    const char *kind = (iface ? smap_get(&iface->external_ids, "vnet-kind")
                        : NULL);
    st->tap = nullable_string_is_equal(kind, "tap");
    st->trunk = nullable_string_is_equal(kind, "trunk");
}

bool
switch_db_delete_port(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                      struct ovsdb_idl_index *ports_by_name,
                      const char *bridge, const char *owner,
                      const char *name, struct switch_news *news,
                      struct switch_db_stale *st)
{
    ovs_assert(txn);            /* (The IDL's open one.) */
    const struct ovsrec_bridge *br = switch_db_find_bridge(idl, bridge);
    struct ovsrec_port *key = ovsrec_port_index_init_row(ports_by_name);
    ovsrec_port_index_set_name(key, name);
    const struct ovsrec_port *port = ovsrec_port_index_find(ports_by_name,
                                                            key);
    ovsrec_port_index_destroy_row(key);
    const char *port_owner = (port ? smap_get(&port->external_ids,
                                              VNET_EXTID_OWNER) : NULL);
    if (!br || !bridge_is_ours(br, owner) || !port
        || !nullable_string_is_equal(port_owner, owner)
        || port->n_interfaces != 1
        || strcmp(port->interfaces[0]->name, name)
        || switch_news_inserted(news, name)
        || switch_news_deleted(news, name)) {
        return false;
    }
    /* (Were it another bridge's, nothing would go and what comes back
     * would be news: a full run.) */
    VLOG_INFO("bridge %s: removing port %s", br->name, name);
    stale_of(port, port->interfaces[0], st);
    ovsrec_bridge_update_ports_delvalue(br, port);
    switch_news_expect_delete(news, port);
    switch_news_expect_bridge(news, br);
    return true;
}

bool
switch_db_insert_port(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                      struct ovsdb_idl_index *ifaces_by_name,
                      const char *bridge, const char *owner,
                      const struct switch_db_port *want,
                      struct switch_news *news)
{
    const struct ovsrec_bridge *br = switch_db_find_bridge(idl, bridge);
    bool taken = switch_db_find_iface(ifaces_by_name, want->name) != NULL;
    if (!br || !bridge_is_ours(br, owner) || taken
        || switch_news_inserted(news, want->name)) {
        return false;
    }
    insert_port_of(txn, br, want, owner, news);
    switch_news_expect_bridge(news, br);
    return true;
}

/* Brings the ports of our bridge 'br' to 'cfg': adds missing endpoint ports,
 * removes ours that are not wanted (reporting them in 'r->stale'), and
 * reports every interface with an iface-id in 'r->bindings'.  Returns true if
 * it changed anything. */
static bool
sync_ports(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
           const struct switch_db_config *cfg, struct switch_db_result *r)
{
    bool changed = false;
    struct shash wanted = SHASH_INITIALIZER(&wanted);  /* Name -> port. */
    /* Of each wanted port: whether its name was wanted before it (a
     * trunk's), or it is there. */
    bool *skip = xmalloc(MAX(cfg->n_ports, 1) * sizeof *skip);
    for (size_t i = 0; i < cfg->n_ports; i++) {
        skip[i] = !shash_add_once(&wanted, cfg->ports[i].name,
                                  &cfg->ports[i]);
    }
    size_t allocated = r->n_bindings;

    for (size_t i = 0; i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];
        if (!strcmp(port->name, br->name)) {
            continue;           /* The bridge's own internal port. */
        }
        const char *owner = smap_get(&port->external_ids, VNET_EXTID_OWNER);
        bool ours = owner && !strcmp(owner, cfg->owner);
        const struct switch_db_port *want = shash_find_data(&wanted,
                                                            port->name);

        if (ours && !want) {
            /* Created by us for an endpoint that is gone. */
            const struct ovsrec_interface *iface = port->n_interfaces
                                                   ? port->interfaces[0] : NULL;
            /* Called once per bridge: grow by count, not by a local
             * capacity. */
            r->stale = xrealloc(r->stale, (r->n_stale + 1) * sizeof *r->stale);
            stale_of(port, iface, &r->stale[r->n_stale++]);
            if (txn) {
                VLOG_INFO("bridge %s: removing port %s", br->name, port->name);
                ovsrec_bridge_update_ports_delvalue(br, port);
            }
            changed = true;
            continue;
        }
        if (want) {
            skip[want - cfg->ports] = true;
        }

        for (size_t j = 0; j < port->n_interfaces; j++) {
            const struct ovsrec_interface *iface = port->interfaces[j];
            const char *iface_id = want ? want->iface_id
                                   : smap_get(&iface->external_ids, "iface-id");
            if (txn && (want || iface_id)) {
                changed |= (want
                            ? switch_db_sync_want_ids(cfg->memo, iface, want,
                                                      cfg->owner)
                            : switch_db_sync_ids(iface, NULL, cfg->owner,
                                                 MARK_KEEP));
                /* A write replaces the row's external_ids: look again. */
                iface_id = want ? want->iface_id
                           : smap_get(&iface->external_ids, "iface-id");
            }
            if (want && txn) {
                const char *type = want->type ? want->type : "";
                if (strcmp(iface->type, type)) {
                    ovsrec_interface_set_type(iface, type);
                    changed = true;
                }
                const struct smap empty = SMAP_INITIALIZER(&empty);
                const struct smap *options = want->options ? want->options
                                                           : &empty;
                if (!smap_equal(&iface->options, options)) {
                    ovsrec_interface_set_options(iface, options);
                    changed = true;
                }
            }
            if (!iface_id && !(ours && want)) {
                continue;
            }
            if (r->n_bindings >= allocated) {
                r->bindings = x2nrealloc(r->bindings, &allocated,
                                         sizeof *r->bindings);
            }
            struct switch_db_binding *b = &r->bindings[r->n_bindings++];
            b->iface_id = nullable_xstrdup(iface_id);
            b->ifname = xstrdup(iface->name);
            b->ofport = iface->n_ofport ? iface->ofport[0] : 0;
            b->error = nullable_xstrdup(iface->error);
            b->ours = ours;
            if (ours && !iface_id && b->ofport == 0 && !b->error) {
                r->n_unnumbered++;
            }
        }
    }

    bool other = changed;       /* Anything but inserts. */
    size_t n_inserted = 0;
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct switch_db_port *want = &cfg->ports[i];
        if (skip[i]) {
            continue;           /* There, or named twice (a trunk). */
        }
        if (cfg->news && switch_news_inserted(cfg->news, want->name)) {
            n_inserted++;       /* Into 'txn' already. */
            continue;
        }
        changed = true;
        if (!txn) {
            continue;
        }
        insert_port_of(txn, br, want, cfg->owner, cfg->news);
        n_inserted++;
        if (!want->iface_id) {
            r->n_unnumbered++;
        }
    }
    if (n_inserted && cfg->news) {
        switch_news_expect_bridge(cfg->news, br);
    }
    r->inserts_only = n_inserted && !other;
    free(skip);
    shash_destroy(&wanted);
    return changed;
}

static struct ovsrec_port *
insert_port(struct ovsdb_idl_txn *txn, const char *name, const char *type,
            const char *owner)
{
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, name);
    if (type) {
        ovsrec_interface_set_type(iface, type);
    }
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    ovsrec_port_update_external_ids_setkey(port, VNET_EXTID_OWNER, owner);
    return port;
}

/* The underlay bridge: netdev, standalone (it is a plain L2 switch for the
 * underlay), owning the underlay interface.  Returns true if it changed
 * anything. */
static bool
sync_phy_bridge(struct ovsdb_idl_txn *txn,
                const struct ovsrec_open_vswitch *ovs,
                const struct ovsrec_bridge *phy,
                const struct switch_db_config *cfg, char **error)
{
    if (phy && !bridge_is_ours(phy, cfg->owner)) {
        *error = xasprintf("bridge %s exists and is not managed by ovs-vnet",
                           cfg->phy_bridge);
        return false;
    }
    if (!phy) {
        if (txn) {
            VLOG_INFO("creating underlay bridge %s for %s", cfg->phy_bridge,
                      cfg->underlay);
            struct ovsrec_port *ports[2];
            ports[0] = insert_port(txn, cfg->phy_bridge, "internal",
                                   cfg->owner);
            ports[1] = insert_port(txn, cfg->underlay, NULL, cfg->owner);
            struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
            ovsrec_bridge_set_name(br, cfg->phy_bridge);
            ovsrec_bridge_set_ports(br, ports, 2);
            ovsrec_bridge_set_datapath_type(br, "netdev");
            ovsrec_bridge_update_external_ids_setkey(br, VNET_EXTID_OWNER,
                                                     cfg->owner);
            ovsrec_bridge_update_external_ids_setkey(br, "ovs-vnet-role",
                                                     "underlay");
            if (cfg->phy_hwaddr) {
                ovsrec_bridge_update_other_config_setkey(br, "hwaddr",
                                                         cfg->phy_hwaddr);
            }
            ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
        }
        return true;
    }

    bool changed = false;
    bool has_underlay = false;
    const char *hwaddr = smap_get(&phy->other_config, "hwaddr");
    if (cfg->phy_hwaddr && !nullable_string_is_equal(hwaddr, cfg->phy_hwaddr)) {
        if (txn) {
            ovsrec_bridge_update_other_config_setkey(phy, "hwaddr",
                                                     cfg->phy_hwaddr);
        }
        changed = true;
    }
    for (size_t i = 0; i < phy->n_ports; i++) {
        const struct ovsrec_port *port = phy->ports[i];
        if (!strcmp(port->name, cfg->underlay)) {
            has_underlay = true;
        } else if (strcmp(port->name, phy->name)) {
            /* Another interface than the one configured: let it go. */
            if (txn) {
                ovsrec_bridge_update_ports_delvalue(phy, port);
            }
            changed = true;
        }
    }
    if (!has_underlay) {
        if (txn) {
            ovsrec_bridge_update_ports_addvalue(
                phy, insert_port(txn, cfg->underlay, NULL, cfg->owner));
        }
        changed = true;
    }
    return changed;
}

void
switch_db_reconcile(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                    const struct switch_db_config *cfg,
                    struct switch_db_result *r)
{
    ovs_assert(!r->index);      /* (Destroyed first, or new.) */
    memset(r, 0, sizeof *r);
    result_index_make(r);

    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    if (!ovs) {
        return;
    }
    r->db_ready = true;
    r->ovs_version = nullable_xstrdup(ovs->ovs_version);
    r->system_id = nullable_xstrdup(smap_get(&ovs->external_ids, "system-id"));

    bool changed = false;
    const struct ovsrec_bridge *wanted = NULL;
    const struct ovsrec_bridge *phy = NULL;
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (cfg->bridge && !strcmp(br->name, cfg->bridge)) {
            wanted = br;
        } else if (cfg->bridge && cfg->phy_bridge
                   && !strcmp(br->name, cfg->phy_bridge)) {
            phy = br;
        } else if (bridge_is_ours(br, cfg->owner)) {
            /* Ours, but not (any more) wanted: so are its endpoint ports. */
            struct switch_db_config none = { .owner = cfg->owner };
            sync_ports(NULL, br, &none, r);
            if (txn) {
                delete_bridge(ovs, br);
            }
            changed = true;
        }
    }

    if (!cfg->bridge) {
        r->ready = !changed;
        return;
    }
    if (cfg->phy_bridge) {
        char *error = NULL;
        changed |= sync_phy_bridge(txn, ovs, phy, cfg, &error);
        if (error) {
            r->error = error;
            return;
        }
    }

    if (!wanted) {
        if (txn) {
            create_bridge(txn, ovs, cfg);
        }
        changed = true;
    } else if (!bridge_is_ours(wanted, cfg->owner)) {
        const char *other = smap_get(&wanted->external_ids, VNET_EXTID_OWNER);
        r->error = other
            ? xasprintf("bridge %s belongs to ovs-vnet switch \"%s\"",
                        cfg->bridge, other)
            : xasprintf("bridge %s exists and is not managed by ovs-vnet "
                        "(choose another bridge name)", cfg->bridge);
        return;
    } else {
        if (txn) {
            changed |= update_bridge(txn, wanted, cfg,
                                     &r->controller_connected);
        } else {
            changed = true;
        }
        bool other = changed;
        changed |= sync_ports(txn, wanted, cfg, r);
        r->inserts_only &= !other;
        switch_db_memo_prune(cfg->memo, idl, wanted->n_ports);
    }

    r->ready = !changed;
}

void
switch_db_result_destroy(struct switch_db_result *r)
{
    if (r) {
        for (size_t i = 0; i < r->n_bindings; i++) {
            free(r->bindings[i].iface_id);
            free(r->bindings[i].ifname);
            free(r->bindings[i].error);
        }
        free(r->bindings);
        if (r->index) {
            simap_destroy(&r->index->by_ifname);
            simap_destroy(&r->index->plugged);
            free(r->index);
            r->index = NULL;
        }
        for (size_t i = 0; i < r->n_stale; i++) {
            free(r->stale[i].iface_id);
            free(r->stale[i].ifname);
            free(r->stale[i].netns);
        }
        free(r->stale);
        free(r->error);
        free(r->ovs_version);
        free(r->system_id);
    }
}

void
switch_db_own_ofports(const struct switch_db_result *r, struct simap *ofports)
{
    for (size_t i = 0; i < r->n_bindings; i++) {
        const struct switch_db_binding *b = &r->bindings[i];
        if (b->ours && !b->iface_id && b->ofport > 0) {
            simap_put(ofports, b->ifname, b->ofport);
        }
    }
}

bool
switch_db_supports_datapath(struct ovsdb_idl *idl, const char *type)
{
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    if (!ovs || !ovs->n_datapath_types) {
        return true;            /* Not known yet: assume so. */
    }
    for (size_t i = 0; i < ovs->n_datapath_types; i++) {
        if (!strcmp(ovs->datapath_types[i], type)) {
            return true;
        }
    }
    return false;
}

bool
switch_db_userspace_tso(struct ovsdb_idl *idl)
{
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    return ovs && smap_get_bool(&ovs->other_config, "userspace-tso-enable",
                                false);
}
