#include <config.h>
#include "tools/udptun-dev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "svec.h"
#include "util.h"

#define VLAN_TAG_LEN 4
#define ETH_ADDRS_LEN 12            /* Destination and source MACs. */

/* Room in the queues between the relay and the switch, in frames and bytes:
 * bursts from the network must wait there, not be dropped. */
#define ATTACH_TXQUEUELEN 10000
#define ATTACH_RCVBUF (8 << 20)

ssize_t
udptun_packet_read(int fd, uint8_t *frame, size_t size)
{
    union {
        struct cmsghdr cmsg;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control;
    struct iovec iov = {
        .iov_base = frame + VLAN_TAG_LEN,
        .iov_len = size - VLAN_TAG_LEN,
    };
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = &control,
        .msg_controllen = sizeof control,
    };
    ssize_t len = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (len < ETH_ADDRS_LEN) {
        if (len >= 0) {
            memmove(frame, frame + VLAN_TAG_LEN, len);
        }
        return len;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        const struct tpacket_auxdata *aux;
        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA
            || c->cmsg_len < CMSG_LEN(sizeof *aux)) {
            continue;
        }
        aux = (const struct tpacket_auxdata *) CMSG_DATA(c);
        if (aux->tp_status & TP_STATUS_VLAN_VALID) {
            uint16_t tpid = aux->tp_status & TP_STATUS_VLAN_TPID_VALID
                            ? aux->tp_vlan_tpid : ETH_P_8021Q;
            memmove(frame, frame + VLAN_TAG_LEN, ETH_ADDRS_LEN);
            uint8_t *tag = frame + ETH_ADDRS_LEN;
            tag[0] = tpid >> 8;
            tag[1] = tpid;
            tag[2] = aux->tp_vlan_tci >> 8;
            tag[3] = aux->tp_vlan_tci;
            return len + VLAN_TAG_LEN;
        }
    }
    memmove(frame, frame + VLAN_TAG_LEN, len);
    return len;
}

/* Keeps the kernel from giving tap 'name' an IPv6 link-local address and
 * sending neighbor discovery and MLD frames through it to the peer: a tap is
 * a switch port, not an interface of this host. */
static void
disable_ipv6(const char *name, struct svec *warnings)
{
    char *path = xasprintf("/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (write(fd, "1", 1) != 1) {
            svec_add_nocopy(warnings,
                            xasprintf("%s: could not disable IPv6 (%s)", name,
                                      ovs_strerror(errno)));
        }
        close(fd);
    } else if (errno != ENOENT) {
        /* ENOENT: no IPv6 in this kernel. */
        svec_add_nocopy(warnings, xasprintf("%s: %s", path,
                                            ovs_strerror(errno)));
    }
    free(path);
}

/* Sets the MTU of 'name', disables IPv6 on it and brings it up. */
static char *
configure_tap(const char *name, int mtu, int ctl_fd, struct svec *warnings)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    ifr.ifr_mtu = mtu;
    if (ioctl(ctl_fd, SIOCSIFMTU, &ifr) < 0) {
        return xasprintf("%s: could not set MTU %d (%s)", name, mtu,
                         ovs_strerror(errno));
    }

    disable_ipv6(name, warnings);

    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    if (ioctl(ctl_fd, SIOCGIFFLAGS, &ifr) < 0) {
        return xasprintf("%s: could not get flags (%s)", name,
                         ovs_strerror(errno));
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(ctl_fd, SIOCSIFFLAGS, &ifr) < 0) {
        return xasprintf("%s: could not bring up (%s)", name,
                         ovs_strerror(errno));
    }
    return NULL;
}

static char *
make_tap(const char *name, bool persist, bool offload, int fd,
         struct svec *warnings)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (persist ? 0 : IFF_TUN_EXCL)
                    | (offload ? IFF_VNET_HDR : 0);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        if (errno == EBUSY && !persist) {
            return xasprintf("%s: a network device with this name already "
                             "exists (delete it, or choose another name)",
                             name);
        } else if (persist && (errno == EINVAL || errno == EBUSY)) {
            return xasprintf("%s: a network device with this name exists "
                             "that is not a tap, or is in use (%s)", name,
                             ovs_strerror(errno));
        }
        return xasprintf("%s: could not create tap device (%s)", name,
                         ovs_strerror(errno));
    }
    /* The system behind the tap may leave checksums to the relay and hand
     * it TCP segments of up to 64 kB. */
    if (offload && ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) < 0) {
        svec_add_nocopy(warnings,
                        xasprintf("%s: no large segments (%s)", name,
                                  ovs_strerror(errno)));
    }
    if (persist && ioctl(fd, TUNSETPERSIST, 1) < 0) {
        return xasprintf("%s: could not make the tap persistent (%s)", name,
                         ovs_strerror(errno));
    }
    return NULL;
}

char *
udptun_tap_open(const char *name, int mtu, bool persist, bool offload,
                int ctl_fd, int *fdp, struct svec *warnings)
{
    *fdp = -1;
    if (!persist && if_nametoindex(name)) {
        return xasprintf("%s: a network device with this name already exists "
                         "(delete it, or choose another name)", name);
    }

    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return xasprintf("/dev/net/tun: open failed (%s)",
                         ovs_strerror(errno));
    }
    char *error = make_tap(name, persist, offload, fd, warnings);
    if (!error) {
        error = configure_tap(name, mtu, ctl_fd, warnings);
    }
    if (error) {
        close(fd);
        return error;
    }
    *fdp = fd;
    return NULL;
}

char *
udptun_tap_attach(const char *name, int mtu, int ctl_fd, int *fdp,
                  struct svec *warnings)
{
    *fdp = -1;
    unsigned int ifindex = if_nametoindex(name);
    if (!ifindex) {
        return xasprintf("%s: no such device (the switch makes it)", name);
    }
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return xasprintf("%s: packet socket failed (%s)", name,
                         ovs_strerror(errno));
    }
    char *error = NULL;
    int one = 1, size = ATTACH_RCVBUF;
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one)
        || setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)
        || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
        error = xasprintf("%s: setsockopt failed (%s)", name,
                          ovs_strerror(errno));
        goto out;
    }
    error = configure_tap(name, mtu, ctl_fd, warnings);
    if (error) {
        goto out;
    }
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ifindex,
    };
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        error = xasprintf("%s: bind failed (%s)", name, ovs_strerror(errno));
        goto out;
    }

    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    ifr.ifr_qlen = ATTACH_TXQUEUELEN;
    if (ioctl(ctl_fd, SIOCSIFTXQLEN, &ifr) < 0) {
        svec_add_nocopy(warnings,
                        xasprintf("%s: could not set the queue length (%s)",
                                  name, ovs_strerror(errno)));
    }

out:
    if (error) {
        close(fd);
        return error;
    }
    *fdp = fd;
    return NULL;
}
