#!/usr/bin/env python3
"""One new kind of mail for the relabel loop test (tests/relabel): 25
notices of a fictional job board, "Squadlane", whose rejections say only
that an application card "moved to the Archived column". The shipped
classifier reads none of them as REJECTION (OTHER or RECRUITER_OUTREACH);
the user corrects 5 and retrains.

usage: gen_kind.py OUT  -> OUT/emails/sqNN.eml and OUT/labels.csv
(eval labels CSV: file,label,company,scheduled_date). Fictional people and
companies; deterministic."""
import os
import sys
out=sys.argv[1]; os.makedirs(out+"/emails",exist_ok=True)
first=["Ana","Bo","Chen","Dara","Eli","Fynn","Gita","Hugo","Ines","Jon","Kira","Lars","Mei","Nils","Oona","Pia","Quinn","Rafa","Sana","Tove","Uli","Vera","Wim","Xia","Yusuf"]
comp=["Brightfold","Quillmark","Torvane","Ostrella","Kelpwise","Marrowgate","Fennlight","Juniper Vale","Cobaltine","Drumlin","Harrowby","Lumengrid","Pinecrest Labs","Saltmarsh","Veridian Loop","Wexford Analytics","Yarrowtech","Zephyrine","Ambergate","Bramblecode","Cindervale","Duskwater","Emberline","Foxglove Systems","Glimmerfield"]
roles=["Data Engineer","Backend Developer","QA Analyst","Product Designer","SRE"]
codes=["PF-2","PF-7","LN-1","LN-4","CX-3"]
rows=[]
for i in range(25):
    c=comp[i]; f=first[i]; r=roles[i%5]
    body=f"""Hi {f},

Your Squadlane card for {r} at {c} moved to the Archived column.
Status code: {codes[i%5]}. Open the card to see its full history.

Your profile stays visible to other squads on Squadlane.

Squadlane on behalf of {c}
"""
    msg=f"""From: Squadlane <cards@squadlane.io>
To: {f.lower()}@example.org
Subject: {c} card update: {r}
Date: Mon, {2+i%20:02d} Feb 2026 10:00:00 +0000
Message-ID: <sq{i}@squadlane.io>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}"""
    fn=f"sq{i:02d}.eml"
    open(out+"/emails/"+fn,"w").write(msg)
    rows.append(f"{fn},REJECTION,{c},")
open(out+"/labels.csv","w").write("file,label,company,scheduled_date\n"+"\n".join(rows)+"\n")
