"""Sends one mail to the gateway with Python's standard smtplib: a client nobody in this project wrote.

Reads a JSON job on stdin and prints a JSON outcome on stdout:
  job: host, port, username, password, from, to (list), and either raw (base64 of a whole
       message) or message (subject, body, attachments: [{name, type, base64}], headers)
  outcome: {"ok": true, "code": 250, "reply": "..."} or {"ok": false, "stage": "auth"|"mail"|"rcpt"|"data"|"connect", "code": N, "reply": "..."}
Options: starttls (default true), login (default true), repeat (send the same mail N times on one connection).
"""
import base64, json, smtplib, ssl, sys
from email.message import EmailMessage
from email.utils import make_msgid, formatdate

job = json.load(sys.stdin)

def build():
    if 'raw' in job:
        return base64.b64decode(job['raw'])
    m = job.get('message', {'subject': 'Thử', 'body': 'Số: 1/UBND-VP'})
    msg = EmailMessage()
    msg['From'] = m.get('fromHeader', job['from'])
    msg['To'] = ', '.join(job['to'])
    msg['Subject'] = m['subject']
    msg['Date'] = formatdate(localtime=True)
    msg['Message-ID'] = make_msgid(domain='example.vn')
    for k, v in m.get('headers', {}).items():
        msg[k] = v
    msg.set_content(m['body'])
    for a in m.get('attachments', []):
        maintype, subtype = a['type'].split('/', 1)
        msg.add_attachment(base64.b64decode(a['base64']), maintype=maintype, subtype=subtype, filename=a['name'])
    return msg.as_bytes()

def out(o):
    print(json.dumps(o))
    sys.exit(0)

data = build()
try:
    s = smtplib.SMTP(job['host'], job['port'], timeout=120)
except OSError as e:
    out({'ok': False, 'stage': 'connect', 'code': 0, 'reply': str(e)})
try:
    s.ehlo('client.example.vn')
    features = {k: v for k, v in s.esmtp_features.items()}
    if job.get('starttls', True):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx)
        s.ehlo('client.example.vn')
        features = {k: v for k, v in s.esmtp_features.items()}
    if job.get('login', True):
        try:
            s.login(job['username'], job['password'])
        except smtplib.SMTPAuthenticationError as e:
            out({'ok': False, 'stage': 'auth', 'code': e.smtp_code, 'reply': e.smtp_error.decode('utf8', 'replace')})
        except smtplib.SMTPNotSupportedError as e:
            out({'ok': False, 'stage': 'auth', 'code': 0, 'reply': str(e)})
    replies = []
    for _ in range(job.get('repeat', 1)):
        code, reply = s.mail(job['from'])
        if code != 250:
            out({'ok': False, 'stage': 'mail', 'code': code, 'reply': reply.decode('utf8', 'replace'), 'features': features})
        for r in job['to']:
            code, reply = s.rcpt(r)
            if code not in (250, 251):
                s.rset()
                out({'ok': False, 'stage': 'rcpt', 'code': code, 'reply': reply.decode('utf8', 'replace'), 'features': features})
        code, reply = s.data(data)
        if code != 250:
            out({'ok': False, 'stage': 'data', 'code': code, 'reply': reply.decode('utf8', 'replace'), 'features': features})
        replies.append(reply.decode('utf8', 'replace'))
    s.quit()
    out({'ok': True, 'code': 250, 'reply': replies[-1], 'replies': replies, 'features': features})
except smtplib.SMTPServerDisconnected as e:
    out({'ok': False, 'stage': 'disconnected', 'code': 0, 'reply': str(e)})
except smtplib.SMTPResponseException as e:
    out({'ok': False, 'stage': 'other', 'code': e.smtp_code, 'reply': e.smtp_error.decode('utf8', 'replace')})
