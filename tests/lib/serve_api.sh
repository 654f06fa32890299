# serve_api SCHEMA PATH OUT: run `careerops serve` on the tables of SCHEMA
# (a throwaway manifest in $T), GET PATH (e.g. /api/interviews) into OUT
# and stop the server. Needs T, CAREEROPS_BIN, CAREEROPS_TEST_PG, curl and
# fail() from the sourcing test.
serve_api() {
    local schema=$1 path=$2 out=$3 pid port
    cat >"$T/serve.json" <<J
{"pipeline":"serve-api-$$","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"raw"},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"$CAREEROPS_TEST_PG","schema":"$schema","tables":["emails"]}}]}
J
    "$CAREEROPS_BIN" serve "$T/serve.json" --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.log" &
    pid=$!
    for _ in $(seq 100); do grep -q http "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
    port=$(grep -o 'http://[0-9.]*:[0-9]*' "$T/serve.out" | sed 's/.*://') ||
        { kill "$pid"; fail "serve: $(cat "$T/serve.log")"; }
    # the mail needs the token: serve prints it in the page's address
    curl -s -H "Authorization: Bearer $(grep -o '#token=[0-9a-f]*' "$T/serve.out" | cut -d= -f2)" \
        "http://127.0.0.1:$port$path" >"$out"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}
