# Sourced by the imap-source tests: a private, unprivileged Dovecot on
# loopback (like scripts/pg.sh for PostgreSQL) with its own config,
# base_dir and Maildirs under $D, TLS from a CA made here with openssl,
# and passwd-file users with passwords.
#   dovecot_setup DIR   write config, CA, certs, users (alice/bob)
#   dovecot_start       start it (ports in $IMAP_PORT, $IMAPS_PORT)
#   dovecot_stop        stop it (waits for the processes to end)
#   dovecot_clean       remove the /tmp base_dir if one was needed
#   doveadm_ ARGS...    doveadm against this instance
# Exits 77 when dovecot is not installed.
DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)
if [ ! -x "$DOVECOT" ]; then
    echo "SKIP: dovecot is not installed (apt-get install dovecot-imapd, or bash scripts/deps.sh)"
    exit 77
fi
# Two distinct free ports below the kernel's ephemeral range (32768 on):
# a port from bind(0) is an ephemeral one, which any client connection of
# the suite may take as its source port before dovecot (re)binds it, and
# two separate bind(0) calls may return the same port.
dovecot_free_ports() {
    python3 - <<'PY'
import random, socket
got, held = [], []
while len(got) < 2:
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        s.close()
        continue
    held.append(s)
    got.append(p)
print(*got)
PY
}
dovecot_setup() {
    D=$(realpath "$1")
    mkdir -p "$D"
    # as root the mail and auth processes run as nobody, who must reach the
    # users file and the Maildirs: when a parent folder of the checkout is
    # closed to others (a home folder, or CI's `mktemp -d` clone, mode 700),
    # keep the data in a folder under /tmp and link it from DIR (as
    # scripts/pg.sh does for PostgreSQL)
    if [ "$(id -u)" = 0 ] && ! runuser -u nobody -- test -x "$D"; then
        local real
        real=$(mktemp -d /tmp/dovecot-data.XXXXXX)
        chmod 755 "$real"
        rmdir "$D" 2>/dev/null || rm -rf "$D"
        ln -s "$real" "$D"
        D=$real
        DOVECOT_DATA=$real
    fi
    mkdir -p "$D/state" "$D/mail" "$D/tls"
    # base_dir holds unix sockets (108-byte path limit): in the build tree
    # when its path is short enough, else in a private folder under /tmp
    DOVECOT_RUN="$D/run"
    if [ ${#DOVECOT_RUN} -gt 48 ]; then
        DOVECOT_RUN=$(mktemp -d /tmp/dovecot-run.XXXXXX)
        chmod 755 "$DOVECOT_RUN"
    else
        mkdir -p "$DOVECOT_RUN"
    fi
    read -r IMAP_PORT IMAPS_PORT < <(dovecot_free_ports)
    # as root (CI containers) the login and mail processes run as nobody:
    # Dovecot refuses to run them as root
    local u g uid gid
    u=$(id -un); g=$(id -gn); uid=$(id -u); gid=$(id -g)
    if [ "$uid" = 0 ]; then
        u=nobody; g=$(id -gn nobody); uid=$(id -u nobody); gid=$(id -g nobody)
        chmod 755 "$D"
        chown -R "$uid:$gid" "$D/mail"
    fi
    (cd "$D/tls" &&
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test CA" \
            -keyout ca.key -out ca.crt 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout server.key -out server.csr 2>/dev/null &&
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > ext.cnf &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
            -CAcreateserial -days 2 -extfile ext.cnf -out server.crt 2>/dev/null) ||
        { echo "FAIL: openssl could not make the test CA" >&2; return 1; }
    printf 'alice:{PLAIN}alice-app-password\nbob:{PLAIN}bob-app-password\n' > "$D/users"
    cat > "$D/dovecot.conf" <<C
base_dir = $DOVECOT_RUN
state_dir = $D/state
instance_name = careerops-imap-test-$$
log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$D/tls/server.crt
ssl_key = <$D/tls/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login${DOVECOT_OAUTH_URL:+ xoauth2 oauthbearer}
mail_location = maildir:$D/mail/%u
first_valid_uid = 1
default_login_user = $u
default_internal_user = $u
default_internal_group = $g
$(dovecot_oauth_passdb)
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = $D/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$D/mail/%u allow_all_users=yes
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
protocol imap {
  imap_idle_notify_interval = 1 mins
}
C
}
# With DOVECOT_OAUTH_URL (an introspection endpoint, POST token=...):
# XOAUTH2/OAUTHBEARER logins are checked there (oauth2 passdb).
dovecot_oauth_passdb() {
    [ -n "${DOVECOT_OAUTH_URL:-}" ] || return 0
    cat > "$D/oauth2.conf.ext" <<O
introspection_mode = post
introspection_url = $DOVECOT_OAUTH_URL
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
O
    printf 'passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}\n' "$D/oauth2.conf.ext"
}
dovecot_start() {
    local try
    for try in 1 2 3; do
        if "$DOVECOT" -c "$D/dovecot.conf" 2> "$D/start.err"; then
            DOVECOT_STARTED=1
            DOVECOT_PID=$(cat "$DOVECOT_RUN/master.pid" 2>/dev/null || true)
            break
        fi
        # the first start may find a port taken since dovecot_free_ports
        # (tests run in parallel): new ports, at most 3 times; a restart
        # keeps its ports (the source's URL names them)
        if [ -n "${DOVECOT_STARTED:-}" ] || [ $try = 3 ] ||
            ! grep -q "Address already in use" "$D/start.err" "$D/dovecot.log" 2>/dev/null; then
            echo "FAIL: dovecot did not start: $(cat "$D/start.err") $(tail -5 "$D/dovecot.log" 2>/dev/null)" >&2
            return 1
        fi
        local old_imap=$IMAP_PORT old_imaps=$IMAPS_PORT
        read -r IMAP_PORT IMAPS_PORT < <(dovecot_free_ports)
        sed -i -e "s/^    port = $old_imap\$/    port = $IMAP_PORT/" \
            -e "s/^    port = $old_imaps\$/    port = $IMAPS_PORT/" "$D/dovecot.conf"
        echo "dovecot: port $old_imap or $old_imaps taken, now $IMAP_PORT and $IMAPS_PORT" >&2
    done
    local i
    for i in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$IMAPS_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: dovecot does not listen on $IMAPS_PORT: $(tail -5 "$D/dovecot.log")" >&2
    return 1
}
dovecot_stop() {
    [ -n "${D:-}" ] && [ -e "$D/dovecot.conf" ] || return 0
    "$DOVECOT" -c "$D/dovecot.conf" stop 2>/dev/null || true
    local i pid=${DOVECOT_PID:-}
    [ -n "$pid" ] || pid=$(cat "$DOVECOT_RUN/master.pid" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || { DOVECOT_PID=; return 0; }
        sleep 0.1
    done
    # still there after 10 s (a stop that found no master.pid, or a master
    # stuck in its shutdown): a Dovecot left running outlives the suite and
    # holds its ports, so it is killed; its children end with the master
    echo "dovecot: master $pid did not stop in 10 s, killed" >&2
    kill -KILL "$pid" 2>/dev/null || true
    DOVECOT_PID=
}
doveadm_() {
    doveadm -c "$D/dovecot.conf" "$@"
}
dovecot_clean() {
    case "${DOVECOT_RUN:-}" in /tmp/dovecot-run.*) rm -rf "$DOVECOT_RUN" ;; esac
    case "${DOVECOT_DATA:-}" in /tmp/dovecot-data.*) rm -rf "$DOVECOT_DATA" ;; esac
}
