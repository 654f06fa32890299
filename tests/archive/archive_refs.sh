#!/usr/bin/env bash
# Bad archive references get precise messages (a new user's trial): a
# missing folder archive says how to create it (`archive init`), or, when
# no archive is configured, what to configure; "sha256:" with anything but
# 64 hex digits is "not a valid sha256 reference", not "not found". All of
# them are bad input: exit 2, like the other commands.
. "$(dirname "$0")/../common/cli.sh"
unset CAREEROPS_ARCHIVE
hex=$(printf 'a%.0s' $(seq 64))

# no archive yet: configured (--archive, CAREEROPS_ARCHIVE) or the default
for cmd in "get sha256:$hex" ls "prune --older-than 1"; do
    read -ra a <<<"$cmd"
    expect 2 "no archive at file://$t/arch \(the folder does not exist\): create it with \`careerops archive init --archive arch\`" \
        "archive $cmd on a missing --archive" "$B" archive "${a[@]}" --archive arch
done
CAREEROPS_ARCHIVE=$t/env-arch expect 2 "no archive at file://$t/env-arch .*careerops archive init --archive $t/env-arch" \
    "archive ls on a missing CAREEROPS_ARCHIVE" "$B" archive ls
expect 2 "no archive at file://$t/.run/archive \(the default: neither --archive nor CAREEROPS_ARCHIVE is set\): set one of them" \
    "archive get without any archive" "$B" archive get "sha256:$hex"
echo "ok: a missing archive says how to create it, or what to configure"

"$B" archive init --archive arch >/dev/null
for ref in sha256:zz "sha256:${hex:0:63}" "sha256:${hex}0" "sha256:${hex:0:63}g"; do
    expect 2 "'$ref' is not a valid sha256 reference: after \"sha256:\" give the 64 lowercase hex digits" \
        "archive get $ref" "$B" archive get "$ref" --archive arch
done
expect 2 "sha256:$hex: not found in file://$t/arch" "archive get of a valid absent hash" \
    "$B" archive get "sha256:$hex" --archive arch
echo hello >m.eml
ref=$("$B" archive put m.eml --archive arch | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"])')
"$B" archive get "sha256:$ref" --archive arch | grep -qx hello || fail "get of a stored hash"
echo "ok: an invalid sha256 reference is named as such; a valid absent one is 'not found'"

# trial 51: a reference that holds a password or a signed query is shown
# with the secret as *** (and never in full)
for ref in 'https://u:REFPW1@h/x' 'x?token=REFPW3' 'https://h/x?X-Amz-Signature=REFPW4' 'sha256:zz?token=REFPW5'; do
    "$B" archive get "$ref" --archive arch > out 2> err && fail "archive get $ref succeeded"
    ! grep -q 'REFPW' err || fail "archive get printed the secret of $ref: $(cat err)"
    grep -q '\*\*\*' err || fail "archive get $ref: no *** in: $(cat err)"
done
echo "ok: a reference's password or signed query is written *** in the messages"
# ... and an scp-style USER:PW@HOST:PATH is refused, not made a local
# folder with the password in its name
"$B" archive init --archive 'alice:Hunter2@nas:/backups' > out 2> err && fail "an scp-style archive was accepted"
grep -q 'a remote USER@HOST:PATH is not an archive' err || fail "scp-style archive: $(cat err)"
! grep -q Hunter2 err || fail "scp-style archive: the password printed: $(cat err)"
[ ! -e 'alice:Hunter2@nas:' ] || fail "scp-style archive: a local folder was made"
echo "ok: an scp-style USER:PW@HOST:PATH archive is refused, its password not shown"
# trial 52: "user:PW@host" with no path is refused too; an S3 endpoint's
# password is *** in the connection error
"$B" archive init --archive 'user:SECRET52@host' > out 2> err && fail "user:PW@host was accepted as a folder"
! grep -q SECRET52 err || fail "user:PW@host: the password printed: $(cat err)"
[ ! -e 'user:SECRET52@host' ] || fail "user:PW@host: a local folder was made"
printf 'AK\n' > ak; printf 'SK\n' > sk
"$B" archive ls --archive s3://bucket/p --s3-endpoint 'http://u:SECRET53@127.0.0.1:1' \
    --s3-access-key-file ak --s3-secret-key-file sk --retry-seconds 1 > out 2> err && fail "archive ls on a closed port succeeded"
! grep -q SECRET53 err || fail "the S3 endpoint's password printed: $(cat err)"
grep -q 'S3 endpoint: holds a login or password' err || fail "an S3 endpoint with a login accepted (trial 53): $(cat err)"
# trial 72: ftp:// was retried for the whole budget as an outage (exit 1)
rc=0
"$B" archive ls --archive s3://bucket/p --s3-endpoint 'ftp://127.0.0.1:1' \
    --s3-access-key-file ak --s3-secret-key-file sk --retry-seconds 1 > out 2> err || rc=$?
[ "$rc" = 2 ] && grep -q "S3 endpoint: the scheme 'ftp' is not http or https" err && ! grep -q retrying err ||
    fail "an ftp:// S3 endpoint: exit $rc: $(cat err)"
echo "ok: user:PW@host refused; an S3 endpoint with a password, or not http(s), is refused, unquoted"
# trial 53: a file:// URL is file:///PATH or file://localhost/PATH (RFC
# 8089): "file://u:PW@/tmp/arch" made a folder "./u:PW@/tmp/arch" (its name
# in every record), "file://fileserver/tmp/x" a local ./fileserver/tmp/x
for a in 'file://u:ARCHPW53@/tmp/arch' 'file://fileserver/tmp/x' 'file://me@fileserver/x' 'file://'; do
    "$B" archive init --archive "$a" > out 2> err && fail "archive init --archive $a was accepted"
    grep -q 'a file:// URL names a folder on this machine: write file:///ABSOLUTE/PATH or file://localhost/PATH' err ||
        fail "archive $a: $(cat err)"
    ! grep -q -e ARCHPW53 -e 'me@' err || fail "archive $a: printed: $(cat err)"
done
[ ! -e 'u:ARCHPW53@' ] && [ ! -e fileserver ] && [ ! -e me@fileserver ] || fail "a local folder was made"
"$B" archive init --archive "file://localhost$t/lh" > out 2> err || fail "file://localhost/PATH refused: $(cat err)"
[ -d "$t/lh" ] || fail "file://localhost$t/lh: no folder $t/lh"
"$B" archive init --archive "file://$t/tri" > out 2> err || fail "file:///PATH refused: $(cat err)"
[ -d "$t/tri" ] || fail "file://$t/tri: no folder"
"$B" archive ls --archive 'S3://bucket/p' > out 2> err && fail "S3:// accepted"
grep -q 'write the scheme in lower case' err || fail "S3://: $(cat err)"
echo "ok: file:// with a login or a host other than localhost is refused (nothing made, nothing quoted); file://localhost/PATH and file:///PATH work"
# trial 54: a login with no password ("s3://LEAKME@bucket") or an access
# key id ("s3://AK:PW@b") was quoted in the refusal; a presigned query in
# an s3:// URL, and a file:// path starting "//" (RFC 8089: a server's,
# "file:////u:PW@h/x") were taken
for a in 's3://LEAKME54@bucket' 's3://AKID54:ARCHPW54@bucket/p' 's3://bucket/p?X-Amz-Signature=ARCHPW54' \
    's3://bucket/p#ARCHPW54' 'alice54@nas:/backups' 'file:////AKID54:ARCHPW54@h/x' 'file://localhost//h/x'; do
    "$B" archive init --archive "$a" > out 2> err && fail "archive init --archive $a was accepted"
    grep -q 'archive URL' err || fail "archive $a: $(cat err)"
    ! grep -q -e LEAKME54 -e AKID54 -e ARCHPW54 -e alice54 err || fail "archive $a: printed: $(cat err)"
done
grep -q "the path starts with '//', a server's" err || fail "file://localhost//h/x: $(cat err)"
"$B" archive init --archive 's3://bucket/p?X-Amz-Signature=ARCHPW54' > out 2> err && fail "a presigned s3 query accepted"
grep -q "archive URL s3://bucket/p: a query or fragment" err || fail "s3 query: $(cat err)"
[ ! -e h ] && [ ! -e '/AKID54:ARCHPW54@h' ] || fail "a local folder was made"
echo "ok: an archive URL's login is never quoted; a query in an s3:// URL and a file:// path starting // are refused"
