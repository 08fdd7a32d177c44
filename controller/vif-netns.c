/* Named network namespaces of endpoints, under /run/netns as iproute2 keeps
 * them (controller/vif.h: vif_netns_add(), vif_netns_del(),
 * vif_netns_exists()). */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_netns);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

#define NETNS_RUN_DIR "/run/netns"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

bool
vnl_netns_name_is_valid(const char *name)
{
    return (name && name[0] && strlen(name) <= NAME_MAX
            && !strchr(name, '/')
            && strcmp(name, ".") && strcmp(name, ".."));
}

/* Stores "/run/netns/NAME" in 'path', which must have room for PATH_MAX
 * bytes. */
static int
netns_path(const char *name, char path[PATH_MAX])
{
    if (!vnl_netns_name_is_valid(name)) {
        return EINVAL;
    }
    snprintf(path, PATH_MAX, "%s/%s", NETNS_RUN_DIR, name);
    return 0;
}

static bool
fd_is_netns(int fd)
{
    struct statfs sfs;

    return (!fstatfs(fd, &sfs)
            && (sfs.f_type == NSFS_MAGIC || sfs.f_type == PROC_SUPER_MAGIC));
}

/* Opens namespace 'name' under /run/netns.  ENOENT if there is no namespace
 * mounted there. */
int
vnl_netns_open_named(const char *name, int *fdp)
{
    char path[PATH_MAX];
    int error, fd;

    *fdp = -1;
    error = netns_path(name, path);
    if (error) {
        return error;
    }

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    if (!fd_is_netns(fd)) {
        close(fd);
        return ENOENT;
    }
    *fdp = fd;
    return 0;
}

/* Makes /run/netns a shared mount point, as iproute2 does, so that unmounting
 * a namespace there is seen by every mount namespace that shares it.
 *
 * Unlike iproute2, not recursively: the namespaces mounted below a shared
 * mount are shared already (the kernel makes a mount shared when it goes
 * below one), and a recursive change walks every mount below, one per
 * namespace, on every namespace made. */
static int
netns_run_dir_prepare(void)
{
    bool made_mount = false;

    if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST) {
        return errno;
    }
    while (mount("", NETNS_RUN_DIR, "none", MS_SHARED, NULL)) {
        if (errno != EINVAL || made_mount) {
            return errno;
        }
        /* Not a mount point yet: bind-mount it onto itself. */
        if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
                  NULL)) {
            return errno;
        }
        made_mount = true;
    }
    return 0;
}

bool
vif_netns_exists(const char *name)
{
    char path[PATH_MAX];
    struct statfs sfs;

    return (!netns_path(name, path)
            && !statfs(path, &sfs)
            && (sfs.f_type == NSFS_MAGIC || sfs.f_type == PROC_SUPER_MAGIC));
}

/* Brings "lo" up in the existing namespace 'name'. */
static int
netns_lo_up(const char *name)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    int error, fd;

    error = vnl_netns_open_named(name, &fd);
    if (error) {
        return error;
    }
    error = vnl_socks_open(fd, false, &socks);
    close(fd);
    if (!error) {
        error = vnl_link_set_up_by_name(socks.nl, "lo");
        vnl_socks_close(&socks);
    }
    return error;
}

int
vif_netns_add(const char *name)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    bool created = false;
    bool mounted = false;
    char path[PATH_MAX];
    int self_fd = -1;
    int error, fd;

    error = netns_path(name, path);
    if (error) {
        return error;
    }

    if (vif_netns_exists(name)) {
        error = netns_lo_up(name);
        goto out;
    }

    error = netns_run_dir_prepare();
    if (error) {
        goto out;
    }

    fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd >= 0) {
        created = true;
        close(fd);
    } else if (errno != EEXIST) {
        error = errno;
        goto out;
    }
    /* Otherwise a leftover file with no namespace on it: reuse it. */

    error = vif_open_netns_of_pid(0, &self_fd);
    if (error) {
        goto out;
    }
    if (unshare(CLONE_NEWNET)) {
        error = errno;
        close(self_fd);
        goto out;
    }
    /* In the new namespace: open the socket that brings its "lo" up, and pin
     * the namespace by bind-mounting it onto the file. */
    error = vnl_socks_open_here(false, &socks);
    if (!error) {
        if (mount(THREAD_NETNS_PATH, path, "none", MS_BIND, NULL)) {
            error = errno;
        } else {
            mounted = true;
        }
    }
    vnl_netns_restore(self_fd);

    if (!error) {
        VLOG_INFO("created network namespace %s", name);
        error = vnl_link_set_up_by_name(socks.nl, "lo");
    }

out:
    vnl_socks_close(&socks);
    if (error) {
        if (created && !mounted) {
            unlink(path);
        }
        VLOG_WARN_RL(&rl, "adding network namespace %s failed (%s)",
                     name ? name : "(null)", ovs_strerror(error));
    }
    return error;
}

int
vif_netns_del(const char *name)
{
    char path[PATH_MAX];
    bool existed;
    int error;

    error = netns_path(name, path);
    if (error) {
        return error;
    }

    existed = vif_netns_exists(name);
    if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT) {
        error = errno;
    } else if (unlink(path) && errno != ENOENT) {
        error = errno;
    }

    if (error) {
        VLOG_WARN_RL(&rl, "deleting network namespace %s failed (%s)",
                     name, ovs_strerror(error));
    } else if (existed) {
        VLOG_INFO("deleted network namespace %s", name);
    }
    return error;
}

struct vif_netns_watch {
    int fd;                     /* inotify, on NETNS_RUN_DIR. */
};

int
vif_netns_watch_open(struct vif_netns_watch **wp)
{
    *wp = NULL;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    /* "ip netns delete" unmounts the name, then unlinks it. */
    if (inotify_add_watch(fd, NETNS_RUN_DIR, IN_DELETE | IN_MOVED_FROM) < 0) {
        int error = errno;
        close(fd);
        return error;
    }
    *wp = xmalloc(sizeof **wp);
    (*wp)->fd = fd;
    return 0;
}

void
vif_netns_watch_close(struct vif_netns_watch *w)
{
    if (w) {
        close(w->fd);
        free(w);
    }
}

bool
vif_netns_watch_run(struct vif_netns_watch *w, struct sset *gone)
{
    bool lost = false;
    if (!w) {
        return false;
    }
    /* A few reads at most a call; the rest wakes the poll loop again. */
    for (int i = 0; i < 16; i++) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        for (char *p = buf; p < buf + n; ) {
            const struct inotify_event *ev = (const struct inotify_event *) p;
            if (ev->mask & IN_Q_OVERFLOW) {
                lost = true;
            } else if (ev->len && ev->name[0]) {
                sset_add(gone, ev->name);
            }
            p += sizeof *ev + ev->len;
        }
    }
    return lost;
}

void
vif_netns_watch_wait(const struct vif_netns_watch *w)
{
    if (w) {
        poll_fd_wait(w->fd, POLLIN);
    }
}
