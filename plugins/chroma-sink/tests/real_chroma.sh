#!/bin/bash
# chroma-sink and `careerops ask` against a real Chroma server (chromadb
# 1.5.9 from PyPI, scripts/chroma.sh), embeddings from the fake Ollama:
#   mock-source (careerops.briefing.v1 lines) -> research_tasks -> chroma-sink
# Uses $CAREEROPS_CHROMA_URL (scripts/test.sh starts one around the suite);
# else starts its own when scripts/chroma.sh has installed chromadb; else
# skips (77): CI with Debian's mirror only cannot install it. Checks:
#  1. 3 briefings upserted: the real server counts 3 in a new collection
#     (cosine), a query by company finds the metadata and the document.
#  2. replaying the topic from offset 0 upserts again, count still 3.
#  3. `careerops ask --company` prints that company's briefing.
#  4. dimension mismatch (collection made with 3-dim embeddings): 3 dead
#     letters carrying the real server's message.
#  5. a database that does not exist: the stage stops FATAL with Chroma's
#     message; a collection name Chroma refuses: a config error at start.
#  6. the fake Chroma (tests/fakes) and the real server answer the same 27
#     requests (heartbeat to errors) with the same status, error name,
#     message and values.
# Needs: CAREEROPS_BIN, CAREEROPS_PLUGIN_PATH, CAREEROPS_BUILD_ROOT,
# CAREEROPS_SOURCE_ROOT, jq, curl.
set -eu

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

fake_bin=${CAREEROPS_BUILD_ROOT:?}/tests/fakes/co-fake-server
B=${CAREEROPS_BIN:?}
src=${CAREEROPS_SOURCE_ROOT:?}
[ -x "$fake_bin" ] || fail "co-fake-server not built ($fake_bin)"
for p in mock/mock-source mock/mock-sink chroma-sink/chroma-sink; do
    [ -f "${CAREEROPS_PLUGIN_PATH:?}/$p.so" ] || skip "$p.so not built"
done
command -v jq >/dev/null || skip "jq not installed"
command -v curl >/dev/null || skip "curl not installed"
export CAREEROPS_LOOPBACK_ONLY=1

dir=$(mktemp -d)
pids=()
own_chroma=0
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ $own_chroma = 1 ]; then
        CAREEROPS_CHROMA_RUN=$dir/chroma bash "$src/scripts/chroma.sh" stop >/dev/null 2>&1 || true
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
cd "$dir"

# ---- the server ------------------------------------------------------------
url=${CAREEROPS_CHROMA_URL:-}
if [ -z "$url" ]; then
    venv=${CAREEROPS_CHROMA_VENV:-$src/.chroma/venv}
    [ -x "$venv/bin/chroma" ] ||
        skip "no real Chroma: CAREEROPS_CHROMA_URL is unset and chromadb is not installed ($venv); bash scripts/chroma.sh start installs it from PyPI"
    own_chroma=1
    CAREEROPS_CHROMA_RUN=$dir/chroma bash "$src/scripts/chroma.sh" start 2>chroma.err ||
        { cat chroma.err >&2; fail "scripts/chroma.sh start failed"; }
    url=$(CAREEROPS_CHROMA_RUN=$dir/chroma bash "$src/scripts/chroma.sh" env | sed 's/^export CAREEROPS_CHROMA_URL=//')
fi
case $url in http://127.0.0.1:* | http://localhost:*) ;; *) fail "CAREEROPS_CHROMA_URL=$url is not loopback" ;; esac
curl -sf "$url/api/v2/heartbeat" | grep -q 'nanosecond heartbeat' || fail "no heartbeat from $url"
version=$(curl -sf "$url/api/v2/version" || echo '?')
echo "Chroma server at $url, API version $version"

# Ollama stays a fake (8-dimension embeddings): no model to download.
rm -f ollama.port
"$fake_bin" --service ollama --port-file ollama.port --log ollama.log 2>>ollama.err &
pids+=($!)
for _ in $(seq 200); do [ -s ollama.port ] && break; sleep 0.05; done
[ -s ollama.port ] || fail "fake Ollama did not start"
port_ollama=$(cat ollama.port)

run_id=$(date +%s)$$
coll=careerops_it_$run_id
base="$url/api/v2/tenants/default_tenant/databases/default_database/collections"
count() { # COLLECTION
    local id
    id=$(curl -sf "$base/$1" | jq -r .id) || { echo -1; return; }
    curl -sf "$base/$id/count"
}

briefing() { # ID COMPANY EVENT_TYPE
    jq -cn --arg id "$1" --arg c "$2" --arg t "$3" '{key: $id, value: {
        schema: "careerops.briefing.v1", briefing_id: $id, company: $c,
        role: "Firmware Engineer",
        event: {key: ("ev-" + $id), event_type: $t, scheduled_date: "2025-03-04T15:00:00Z"},
        summary: ("## " + $c + "\n\n" + $c + " builds things. [news](https://news.example/" + $id + "/1)"),
        sources: [{title: "News 1", url: ("https://news.example/" + $id + "/1"), published_date: "2025-02-01"},
                  {title: "About", url: ("https://general.example/" + $id + "/1"), published_date: null}],
        generated_at: "2025-01-01T00:00:00Z",
        generator: {plugin: "tavily-researcher", model: "extractive"}}}'
}
{
    briefing "b1-$run_id" "Lindqvist Robotics" INTERVIEW
    briefing "b2-$run_id" "Oduya Freight" OFFER
    briefing "b3-$run_id" "Brightwater Labs" ASSESSMENT
} > briefings.jsonl

manifest() { # SOURCE_STAGE COLLECTION [DATABASE]
    cat > m.json <<EOF2
{"pipeline": "chroma-real", "kafka": {"bootstrap.servers": "embedded"},
 "state": "file:state.db", "defaults": {"partitions": 1},
 "stages": [
  {"name": "$1", "plugin": "mock-source", "output": "research_tasks",
   "config": {"file": "briefings.jsonl"}},
  {"name": "vectors", "plugin": "chroma-sink", "input": "research_tasks",
   "config": {"chroma_url": "$url", "ollama_url": "http://127.0.0.1:$port_ollama",
              "embed_model": "all-minilm", "collection": "$2",
              "database": "${3:-default_database}"}},
  {"name": "dead", "plugin": "mock-sink", "input": "dlq_dead_letters", "errors": {"tolerance": "none"},
   "config": {"path": "dead.jsonl", "headers": true}}]}
EOF2
}

# ---- 1. upsert --------------------------------------------------------------
manifest ingest "$coll"
"$B" run m.json --until-idle >run1.out 2>run1.err || { cat run1.err >&2; fail "run 1 exited $?"; }
[ "$(count "$coll")" = 3 ] || fail "want 3 records in the real Chroma, got $(count "$coll")"
c=$(curl -sf "$base/$coll")
[ "$(jq -r '.metadata["hnsw:space"]' <<<"$c")" = cosine ] || fail "collection not cosine: $c"
[ "$(jq -r .dimension <<<"$c")" = 8 ] || fail "dimension: $c"
uuid=$(jq -r .id <<<"$c")
q=$(curl -sf -X POST "$base/$uuid/query" -H 'Content-Type: application/json' \
    -d '{"query_embeddings":[[1,0,0,0,0,0,0,0]],"n_results":5,"where":{"company":"Brightwater Labs"}}') ||
    fail "query failed"
[ "$(jq -r '.ids[0] | length' <<<"$q")" = 1 ] || fail "where company: $q"
[ "$(jq -r '.metadatas[0][0].event_type' <<<"$q")" = ASSESSMENT ] || fail "metadata: $q"
[ "$(jq -r '.metadatas[0][0].source_count' <<<"$q")" = 2 ] || fail "source_count: $q"
jq -r '.metadatas[0][0].source_urls' <<<"$q" | grep -qx "https://news.example/b3-$run_id/1" || fail "source_urls: $q"
jq -r '.documents[0][0]' <<<"$q" | grep -q '^## Brightwater Labs' || fail "document: $q"
echo "ok 1: 3 briefings upserted into the real Chroma (cosine, dimension 8), query by company finds metadata and document"

# ---- 2. replay --------------------------------------------------------------
manifest ingest-replay "$coll"
"$B" run m.json --until-idle >run2.out 2>run2.err || { cat run2.err >&2; fail "run 2 exited $?"; }
[ "$(count "$coll")" = 3 ] || fail "the replay changed the count: $(count "$coll")"
echo "ok 2: replay from offset 0: upserted again, count still 3"

# ---- 3. careerops ask -------------------------------------------------------
"$B" ask "what do I know about Lindqvist Robotics" --manifest m.json \
    --company "Lindqvist Robotics" -n 2 >ask.out 2>ask.err || { cat ask.err >&2; fail "ask exited $?"; }
grep -q '^1\. Lindqvist Robotics - INTERVIEW 2025-03-04T15:00:00Z' ask.out || { cat ask.out >&2; fail "ask output"; }
grep -q "https://news.example/b1-$run_id/1" ask.out || { cat ask.out >&2; fail "ask sources"; }
grep -q 'Brightwater\|Oduya' ask.out && fail "ask returned another company"
echo "ok 3: careerops ask returns the Lindqvist Robotics briefing from the real server"

# ---- 4. dimension mismatch ----------------------------------------------------
mcoll=careerops_dim_$run_id
mid=$(curl -sf -X POST "$base" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$mcoll\",\"metadata\":{\"hnsw:space\":\"cosine\"}}" | jq -r .id)
curl -sf -X POST "$base/$mid/add" -H 'Content-Type: application/json' \
    -d '{"ids":["seed"],"embeddings":[[0.1,0.2,0.3]],"documents":["seed"]}' >/dev/null || fail "seed add"
manifest ingest-dim "$mcoll"
"$B" broker --bootstrap-file bs.txt --manifest m.json >broker.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s bs.txt ] && break; sleep 0.1; done
[ -s bs.txt ] || fail "broker did not start: $(cat broker.log)"
bs=$(cat bs.txt)
"$B" run m.json --set "kafka.bootstrap.servers=$bs" --until-idle >run4.out 2>run4.err ||
    { cat run4.err >&2; fail "run 4 exited $?"; }
"$B" dlq list m.json --set "kafka.bootstrap.servers=$bs" >dlq.txt 2>dlq.err || fail "dlq list: $(cat dlq.err)"
[ "$(wc -l < dlq.txt)" -eq 3 ] || fail "want 3 dead letters, got $(wc -l < dlq.txt): $(cat dlq.txt)"
[ "$(grep -c 'Collection expecting embedding with dimension of 3, got 8' dlq.txt)" -eq 3 ] ||
    fail "dead letters lack the real server's message: $(cat dlq.txt)"
[ "$(count "$mcoll")" = 1 ] || fail "mismatch collection changed"
echo "ok 4: dimension mismatch: 3 dead letters with the real server's message"

# ---- 5. configuration errors ----------------------------------------------
manifest ingest-nodb "careerops_nodb_$run_id" "nodb_$run_id"
if "$B" run m.json --until-idle --drain-timeout-ms 500 >run5.out 2>run5.err; then
    fail "a database that does not exist did not stop the run"
fi
grep -q "Database \[nodb_$run_id\] does not exist" run5.err || { cat run5.err >&2; fail "no Chroma message for the database"; }
manifest ingest-name "ab"
if "$B" run m.json --until-idle --drain-timeout-ms 500 >run6.out 2>run6.err; then
    fail "collection \"ab\" was accepted"
fi
grep -Eq 'collection.{1,4}ab.{1,2}: Chroma wants 3-512 characters' run6.err || { cat run6.err >&2; fail "no config error for the name"; }
echo "ok 5: missing database: FATAL with Chroma's message; bad collection name: config error at start"

# ---- 6. the fake answers as the real server --------------------------------
rm -f chroma.port
"$fake_bin" --service chroma --port-file chroma.port 2>>chroma-fake.err &
pids+=($!)
for _ in $(seq 200); do [ -s chroma.port ] && break; sleep 0.05; done
[ -s chroma.port ] || fail "fake Chroma did not start"
python3 - "$url" "http://127.0.0.1:$(cat chroma.port)" "$run_id" <<'PY' || fail "the fake Chroma differs from the real server"
import json, re, sys, urllib.request, urllib.error
real, fake, rid = sys.argv[1:4]
coll, db = "cmp_" + rid, "cmpdb_" + rid
base = "/api/v2/tenants/default_tenant/databases/default_database/collections"
unknown = "0a688606-0de4-4b3e-a343-7e6915d47e04"
def call(root, method, path, body=None, ctype="application/json"):
    data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
    req = urllib.request.Request(root + path, data=data, method=method)
    if ctype and data is not None:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
def norm(text):
    """What must agree: JSON values, error names and messages (without the
    parser's position and details)."""
    try:
        v = json.loads(text)
    except ValueError:
        return text
    if isinstance(v, dict) and "error" in v and "message" in v:
        m = re.sub(r" at line \d+ column \d+$", "", v["message"])
        m = re.sub(r"^(Failed to parse the request body as JSON:).*", r"\1", m)
        return {"error": v["error"], "message": m}
    return v
uuid = {}
def steps(root):
    s = {}
    u = None
    def go(name, method, path, body=None, pick=None, **kw):
        st, text = call(root, method, path.replace("{u}", u or ""), body, **kw)
        v = norm(text)
        if pick and st < 300:
            v = pick(v)
        s[name] = (st, v)
        return v
    go("heartbeat", "GET", "/api/v2/heartbeat", pick=lambda v: sorted(v))
    go("version", "GET", "/api/v2/version")
    go("healthcheck", "GET", "/api/v2/healthcheck")
    go("v1", "GET", "/api/v1/heartbeat")
    c = go("create", "POST", base, {"name": coll, "metadata": {"hnsw:space": "cosine"}, "get_or_create": True},
           pick=lambda v: v)
    u = c.get("id") if isinstance(c, dict) else None
    uuid[root] = u
    s["create"] = (s["create"][0], {k: c.get(k) for k in ("name", "metadata", "tenant", "database", "dimension")})
    go("duplicate", "POST", base, {"name": coll})
    go("get", "GET", base + "/" + coll, pick=lambda v: [v["name"], v["id"] == u])
    go("get-missing", "GET", base + "/nope_" + rid)
    go("add", "POST", base + "/{u}/add", {"ids": ["a"], "embeddings": [[0.1, 0.2, 0.3]], "documents": ["doc a"], "metadatas": [{"k": "v"}]})
    go("upsert", "POST", base + "/{u}/upsert", {"ids": ["a", "b"], "embeddings": [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]],
                                                 "documents": ["doc a", "doc b"], "metadatas": [{"k": "v"}, {"k": "w", "n": 3}]})
    go("upsert-dimension", "POST", base + "/{u}/upsert", {"ids": ["c"], "embeddings": [[0.1, 0.2]]})
    go("upsert-lengths", "POST", base + "/{u}/upsert", {"ids": ["a", "b"], "embeddings": [[0.1, 0.2, 0.3]]})
    go("upsert-no-embeddings", "POST", base + "/{u}/upsert", {"ids": ["z"], "documents": ["x"]})
    go("upsert-bad-json", "POST", base + "/{u}/upsert", '{"ids":')
    go("upsert-no-content-type", "POST", base + "/{u}/upsert", {"ids": ["a"], "embeddings": [[0.1, 0.2, 0.3]]}, ctype=None)
    go("upsert-by-name", "POST", base + "/" + coll + "/upsert", {"ids": ["c"], "embeddings": [[0.1, 0.2, 0.3]]})
    go("count", "GET", base + "/{u}/count")
    go("count-unknown", "GET", base + "/" + unknown + "/count")
    go("query", "POST", base + "/{u}/query", {"query_embeddings": [[0.1, 0.2, 0.3]], "n_results": 5, "where": {"k": "w"}},
       pick=lambda v: {k: v[k] for k in ("ids", "documents", "metadatas", "embeddings", "uris", "include")})
    go("query-dimension", "POST", base + "/{u}/query", {"query_embeddings": [[0.1, 0.2]], "n_results": 1})
    go("short-database", "GET", "/api/v2/tenants/default_tenant/databases/ab/collections")
    go("create-missing-database", "POST", "/api/v2/tenants/default_tenant/databases/" + db + "/collections", {"name": coll})
    go("create-bad-name", "POST", base, {"name": "ab"})
    go("database", "POST", "/api/v2/tenants/default_tenant/databases", {"name": db})
    go("database-again", "POST", "/api/v2/tenants/default_tenant/databases", {"name": db})
    go("create-in-database", "POST", "/api/v2/tenants/default_tenant/databases/" + db + "/collections", {"name": coll},
       pick=lambda v: [v["name"], v["database"]])
    return s
a, b = steps(real), steps(fake)
bad = 0
for k in a:
    if a[k] != b[k]:
        bad += 1
        print(f"DIFF {k}:\n  real {a[k]}\n  fake {b[k]}", file=sys.stderr)
call(real, "DELETE", base + "/" + coll)
if bad:
    sys.exit(1)
print(f"ok 6: the fake Chroma answers {len(a)} requests as the real server does (status, errors, values)")
PY

# the test's collections go again (the server may be shared by the suite)
for x in "$coll" "$mcoll"; do curl -sf -X DELETE "$base/$x" >/dev/null || true; done
