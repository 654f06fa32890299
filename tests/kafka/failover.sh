#!/usr/bin/env bash
# Broker failover on a 3-broker Apache Kafka (scripts/kafka.sh --brokers 3:
# KRaft, replication factor 3, min.insync.replicas 2; the host produces
# with acks=all). A source -> processor -> sink pipeline, one stage per
# process; mid-stream broker 1 (also the first bootstrap address) is
# SIGKILLed, the pipeline must go on with two brokers, then broker 1 starts
# again and rejoins: every record in the sink (0 missing), no DATA LOSS.
. "$(dirname "$0")/lib.sh"
N=${FAILOVER_RECORDS:-30000}
kafka_start --brokers 3
cat > m.json <<J
{"pipeline":"itfailover","kafka":{"bootstrap.servers":"$CAREEROPS_KAFKA_BOOTSTRAP",
   "acks":"all","session.timeout.ms":"10000","heartbeat.interval.ms":"1000"},
 "state":"file:state.json",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"fo_a","config":{"count":$N,"rate":1000}},
  {"name":"mid","plugin":"mock-passthrough","input":"fo_a","output":"fo_b","commit_interval_ms":200},
  {"name":"sink","plugin":"mock-sink","input":"fo_b","commit_interval_ms":200,
   "config":{"path":"out.jsonl"}}]}
J
for s in sink mid src; do
    "$B" run m.json --stage $s 2> $s.log & PIDS+=($!)
    eval "P_$s=\$!"
done
# up to 3 minutes for the first 5,000 (group joins on a loaded machine)
for _ in $(seq 360); do [ "$(total_lines out.jsonl)" -ge 5000 ] && break; sleep 0.5; done
[ "$(total_lines out.jsonl)" -ge 5000 ] || fail "the pipeline did not start: $(tail -n 3 mid.log)"
at=$(total_lines out.jsonl)
bash "$KS" kill-broker 1
echo "SIGKILLed broker 1 with $at records in the sink"
for _ in $(seq 360); do [ "$(total_lines out.jsonl)" -ge $((at + 5000)) ] && break; sleep 0.5; done
now=$(total_lines out.jsonl)
[ "$now" -ge $((at + 5000)) ] || fail "the pipeline stalled on two brokers: $now records ($(tail -n 3 mid.log))"
echo "went on with two brokers: $((now - at)) more records"
t0=$SECONDS
bash "$KS" start-broker 1 >> kafka-start.log 2>&1 || fail "broker 1 did not restart: $(tail -n 5 kafka-start.log)"
echo "broker 1 back after $((SECONDS - t0)) s with $(total_lines out.jsonl) records in the sink"
wait_keys out.jsonl "$N" 240 || fail "sink has $(distinct_keys out.jsonl) of $N records"
kill -TERM "$P_mid" "$P_sink" "$P_src" 2>/dev/null || true
wait "$P_mid" "$P_sink" "$P_src" 2>/dev/null || true
n=$(total_lines out.jsonl); k=$(distinct_keys out.jsonl)
echo "failover: $k of $N records, $((n - k)) duplicates"
if grep -ah 'DATA LOSS' ./*.log | head -3 | grep .; then fail "data loss reported"; fi
[ "$k" = "$N" ] || fail "$((N - k)) records missing"
bash "$KS" status
ok "broker 1 killed and restarted mid-stream: 0 missing of $N"
