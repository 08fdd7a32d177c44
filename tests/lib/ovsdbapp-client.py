#!/usr/bin/python3
"""An OpenStack-style client of ovs-vnet, with OpenStack's own library.

Drives the NB database with ovsdbapp's generic backend (no ovs-vnet code),
writing only what a user decides, and plugs an interface into a switch the
way os-vif does (ovsdbapp's Open_vSwitch schema API, one transaction).

  create-network REMOTE NAME CIDR
  create-port REMOTE NAME NETWORK [IP]      a logical port (no switch)
  show-port REMOTE NAME                     prints "IP MAC" as ovs-vnetd filled them
  plug SWITCH-REMOTE BRIDGE IFACE PORT MAC  as os-vif plugs a VIF
  wait-installed SWITCH-REMOTE IFACE SECS   until external_ids:vnet-installed=true
"""
import sys
import time
import uuid

from ovsdbapp import api
from ovsdbapp.backend import ovs_idl
from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.schema.open_vswitch import impl_idl as ovs_impl

TIMEOUT = 10


class VnetNB(ovs_idl.Backend, api.API):
    """The NB through the generic db_* commands only."""
    lookup_table = {}


def nb(remote):
    idl = connection.OvsdbIdl.from_server(remote, 'OVS_VNET_Northbound')
    return VnetNB(connection.Connection(idl=idl, timeout=TIMEOUT))


def ovs(remote):
    idl = connection.OvsdbIdl.from_server(remote, 'Open_vSwitch')
    return ovs_impl.OvsdbIdl(connection.Connection(idl=idl, timeout=TIMEOUT))


def find_one(api_, table, name):
    rows = api_.db_find(table, ('name', '=', name)).execute(check_error=True)
    if len(rows) != 1:
        sys.exit('%s %s: %d rows' % (table, name, len(rows)))
    return rows[0]


def optional(value):
    """An optional column's value as ovsdbapp gives it (a list or not)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value or '-'


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == 'create-network':
        remote, name, cidr = args
        db = nb(remote)
        with db.transaction(check_error=True) as txn:
            txn.add(db.db_create('Network', name=name, cidr=cidr))
    elif cmd == 'create-port':
        remote, name, network = args[:3]
        db = nb(remote)
        net = find_one(db, 'Network', network)
        cols = {'name': name, 'network': net['_uuid']}
        if len(args) > 3:
            cols['ip'] = args[3]
        with db.transaction(check_error=True) as txn:
            txn.add(db.db_create('Endpoint', **cols))
    elif cmd == 'show-port':
        remote, name = args
        db = nb(remote)
        deadline = time.time() + TIMEOUT
        while True:
            port = find_one(db, 'Endpoint', name)
            if port['type'] or time.time() > deadline:
                break
            time.sleep(0.2)
        print(port['type'], optional(port['ip']), optional(port['mac']))
    elif cmd == 'plug':
        remote, bridge, iface, port, mac = args
        sw = ovs(remote)
        with sw.transaction(check_error=True) as txn:
            txn.add(sw.add_port(bridge, iface))
            txn.add(sw.db_set('Interface', iface, ('external_ids', {
                'iface-id': port, 'attached-mac': mac,
                'iface-status': 'active', 'vm-uuid': str(uuid.uuid4())})))
    elif cmd == 'wait-installed':
        remote, iface, secs = args
        sw = ovs(remote)
        deadline = time.time() + float(secs)
        while time.time() < deadline:
            ids = sw.db_get('Interface', iface, 'external_ids').execute(
                check_error=True)
            if ids.get('vnet-installed') == 'true':
                return 0
            time.sleep(0.2)
        sys.exit('%s: not marked vnet-installed within %s s' % (iface, secs))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
