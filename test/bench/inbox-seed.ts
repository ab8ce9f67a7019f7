// One agency's inbox of many items, written straight into Postgres as arrivals would have stored
// them over about a year: the item (with its envelope, signatures and search words), its work file
// (same id) and its arrival step (01, signed and sent). Used by the inbox bench; not a bench itself.
import type { Sql } from 'postgres'
import { searchableText } from '../../services/inbox/src/domain/subject-search.ts'

const ACTIONS = [
  'Về việc triển khai', 'Về việc tăng cường', 'Về việc báo cáo kết quả', 'Về việc tổ chức', 'Về việc hướng dẫn',
  'Về việc phê duyệt', 'Về việc kiểm tra', 'Về việc đôn đốc', 'Về việc rà soát', 'Về việc thực hiện',
  'Về việc góp ý dự thảo', 'Về việc đề nghị hỗ trợ', 'Kế hoạch', 'Thông báo kết luận về', 'Hướng dẫn thực hiện'
]
const TOPICS = [
  'công tác phòng, chống thiên tai', 'phòng chống bão lũ và tìm kiếm cứu nạn', 'chuyển đổi số', 'cải cách hành chính',
  'xây dựng nông thôn mới', 'giải ngân vốn đầu tư công', 'phòng cháy, chữa cháy rừng', 'tiêm chủng mở rộng',
  'bảo đảm trật tự an toàn giao thông', 'quản lý đất đai', 'dự toán ngân sách nhà nước', 'công tác thi đua, khen thưởng',
  'tuyển sinh đầu cấp', 'bảo đảm an toàn thực phẩm', 'phát triển du lịch cộng đồng', 'giảm nghèo bền vững',
  'kế hoạch sử dụng đất', 'báo chí và xuất bản', 'đường giao thông nông thôn', 'chăm sóc sức khỏe người cao tuổi',
  'phổ biến, giáo dục pháp luật', 'quản lý, bảo vệ rừng', 'đào tạo nghề cho lao động nông thôn', 'đăng ký hộ tịch'
]
const PLACES = [
  'trên địa bàn huyện', 'trên địa bàn tỉnh Lào Cai', 'tại các xã vùng cao', 'tại thành phố Lào Cai',
  'tại huyện Bát Xát', 'tại thị xã Sa Pa', 'tại huyện Bảo Thắng', '', '', ''
]

export interface SeedOptions {
  /** the agency whose inbox is filled */
  recipient: string
  count: number
  /** how many of the newest items are still at 01 (arrived, not yet accepted) */
  unaccepted: number
  /** the agencies documents come from, the first ones most often */
  senders: string[]
}

/**
 * Fills the inbox with `count` items, newest last, arrived evenly over the past year (the newest a
 * minute ago). States follow age: the newest `unaccepted` are at 01, older ones mostly completed
 * (06), a few refused (02) or in progress; about 1 in 500 was recalled and withdrawn; 60 % carry a
 * due date 3 to 30 days after arrival; priorities are mostly 0 (thường), a few hỏa tốc.
 */
export async function seedInbox (sql: Sql, opts: SeedOptions): Promise<void> {
  const part = (list: string[]): { text: string[], search: string[] } => ({ text: list, search: list.map((p) => p === '' ? '' : searchableText(p)) })
  const actions = part(ACTIONS)
  const topics = part(TOPICS)
  const places = part(PLACES)
  const spanMs = 365 * 24 * 3600 * 1000
  await sql.begin(async (tx) => {
    await tx`set local synchronous_commit = off`
    await tx`
      with raw as (
        select n,
          now() - make_interval(secs => 60 + (${opts.count}::int - n) * (${spanMs / 1000}::float8 / ${opts.count}::int)) as received_at,
          ${opts.senders}::text[] as senders, ${actions.text}::text[] as a, ${actions.search}::text[] as a_s,
          ${topics.text}::text[] as tp, ${topics.search}::text[] as tp_s, ${places.text}::text[] as p, ${places.search}::text[] as p_s,
          hashtext('item' || n) as h
        from generate_series(1, ${opts.count}::int) as n
      ), shaped as (
        select n, received_at, h,
          -- a skewed choice of sender: the first agencies of the list send most
          senders[1 + floor(power(abs(hashtext('s' || n)::float8) / 2147483648, 2.5) * array_length(senders, 1))::int] as sender,
          a[1 + abs(h) % array_length(a, 1)] as action, a_s[1 + abs(h) % array_length(a, 1)] as action_s,
          tp[1 + abs(h / 7) % array_length(tp, 1)] as topic, tp_s[1 + abs(h / 7) % array_length(tp, 1)] as topic_s,
          p[1 + abs(h / 131) % array_length(p, 1)] as place, p_s[1 + abs(h / 131) % array_length(p, 1)] as place_s,
          extract(year from received_at)::int as year,
          case when abs(hashtext('p' || n)) % 1000 < 850 then 0 when abs(hashtext('p' || n)) % 1000 < 950 then 1
               when abs(hashtext('p' || n)) % 1000 < 980 then 2 when abs(hashtext('p' || n)) % 1000 < 995 then 3 else 4 end as priority,
          case when abs(hashtext('d' || n)) % 10 < 6 then to_char((received_at at time zone 'Asia/Ho_Chi_Minh') + make_interval(days => 3 + abs(hashtext('e' || n)) % 28), 'YYYY-MM-DD') end as due_date,
          case when n > ${opts.count - opts.unaccepted}::int then '01'
               when abs(h) % 100 < 3 then '02'
               when n > ${opts.count - opts.unaccepted}::int - 3000 then (array['03', '04', '05', '06'])[1 + abs(h / 3) % 4]
               when abs(h) % 100 < 6 then '05'
               else '06' end as state,
          abs(hashtext('w' || n)) % 500 = 0 as withdrawn
        from raw
      ), documents as (
        select *,
          trim(action || ' ' || topic || (case when place = '' then '' else ' ' || place end) || ' năm ' || year) as subject,
          action_s || ' ' || topic_s || ' ' || place_s || ' năm nam ' || year as search_text,
          (n % 9000 + 1)::text as number,
          (array['UBND-VP', 'UBND-KT', 'SNV-TCBC', 'STC-QLNS', 'SKHĐT-TH', 'BCH-PCTT'])[1 + abs(h / 11) % 6] as notation,
          (array['Công văn', 'Kế hoạch', 'Thông báo', 'Quyết định', 'Báo cáo', 'Chỉ thị'])[1 + abs(h / 13) % 6] as type,
          to_char(received_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') as issued_at,
          lpad(to_hex(floor(extract(epoch from received_at) * 1000)::bigint), 12, '0') as ms_hex
        from shaped
      ), enveloped as (
        select *,
          sender || ',' || replace(issued_at, '-', '/') || ',' || number || '/' || notation || '-' || n as document_id,
          jsonb_strip_nulls(jsonb_build_object('number', number || '-' || n, 'notation', notation, 'type', type, 'subject', subject, 'issuedAt', issued_at,
            'priority', priority, 'dueDate', due_date, 'placeOfIssue', 'Lào Cai',
            'signer', jsonb_build_object('competence', 'TM. Ủy ban nhân dân', 'position', 'Phó Chủ tịch', 'fullName', 'Nguyễn Văn An'))) as fields,
          (ms_hex || '7' || substr(md5('a' || n), 1, 3) || (array['8', '9', 'a', 'b'])[1 + abs(h) % 4] || substr(md5('b' || n), 1, 15))::uuid as id,
          md5('digest' || n) || md5('digest2' || n) as digest
        from documents
      )
      insert into inbox.items (id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, received_at, state, envelope, signatures,
        envelope_digest, signatures_valid, signature_findings, recall_requested_at, recall_note, recall_answer, recall_answered_at, updated_at, search)
      select id, document_id, ${opts.recipient}, sender, subject, priority, fields, array[${opts.recipient}], received_at - interval '2 seconds', received_at,
        state,
        jsonb_build_object('type', 'lienthong.envelope', 'v', 1, 'id', document_id, 'sender', sender, 'to', jsonb_build_array(${opts.recipient}::text), 'document', fields,
          'attachments', jsonb_build_array(jsonb_build_object('name', 'van-ban-' || n || '.pdf', 'size', 100000 + abs(h) % 900000, 'sha256', md5('f' || n) || md5('g' || n))),
          'signedAt', to_char(received_at - interval '2 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
        jsonb_build_object('signer', 'eyJhbGciOiJFZERTQSIsImtpZCI6InNpZ25lci0xIn0..' || encode(sha512(('s' || n)::bytea), 'hex'),
                           'agency', 'eyJhbGciOiJFZERTQSIsImtpZCI6ImFnZW5jeS0xIn0..' || encode(sha512(('a' || n)::bytea), 'hex')),
        digest, true,
        jsonb_build_array(jsonb_build_object('role', 'signer', 'agency', sender, 'kid', 'signer-1', 'alg', 'EdDSA', 'valid', true, 'certificate', 'trusted'),
                          jsonb_build_object('role', 'agency', 'agency', sender, 'kid', 'agency-1', 'alg', 'EdDSA', 'valid', true, 'certificate', 'trusted')),
        case when withdrawn then received_at + interval '1 hour' end, case when withdrawn then 'Ban hành nhầm' end,
        case when withdrawn then '15' end, case when withdrawn then received_at + interval '1 hour' end,
        case when state = '01' then received_at else received_at + interval '2 days' end,
        to_tsvector('simple', search_text)
      from enveloped`
    await tx`
      insert into inbox.work_files (id, agency, origin, item_id, title, state, due_at, opened_at, closed_at, updated_at)
      select id, recipient, 'exchange', id, subject, state, ((fields->>'dueDate') || 'T23:59:59.999+07:00')::timestamptz, received_at,
        case when state in ('02', '06') or recall_answer = '15' then updated_at end, updated_at
      from inbox.items where recipient = ${opts.recipient}`
    await tx`
      insert into inbox.steps (item_id, work_file_id, code, channel, at, receipt, signature, published_at)
      select id, id, '01', 'online', received_at,
        jsonb_build_object('type', 'lienthong.receipt', 'v', 1, 'documentId', document_id, 'envelopeDigest', envelope_digest, 'sender', sender,
          'recipient', recipient, 'code', '01', 'channel', 'online', 'at', to_char(received_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
        'eyJhbGciOiJFZERTQSIsImtpZCI6ImN1c3RvZHktMSJ9..' || encode(sha512(id::text::bytea), 'hex'), received_at + interval '50 milliseconds'
      from inbox.items where recipient = ${opts.recipient}`
  })
  for (const table of ['items', 'work_files', 'steps']) await settled(sql, 'inbox', table)
}

/**
 * Vacuums and analyzes a freshly filled table until its pages are marked all-visible, as
 * autovacuum leaves a table that has been there a while: a vacuum that runs while another
 * transaction is open (an autovacuum's analyze, a service's query) cannot mark them yet, and
 * index-only scans would then read every row from the heap.
 */
async function settled (sql: Sql, schema: string, table: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await sql.unsafe(`vacuum analyze ${schema}.${table}`)
    const [row] = await sql`select relallvisible::float8 / greatest(relpages, 1) as visible from pg_class where oid = ${`${schema}.${table}`}::regclass`
    if (Number(row!.visible) >= 0.95) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

/**
 * The sender's side of the recipient's items still at 01, as routing holds them once the 01 came
 * back: the document (published), its delivery, and the 01 in its history. Their later statuses
 * are then checked and recorded by routing as any would be, rather than dropped as unknown.
 */
export async function seedSenderSide (sql: Sql, recipient: string): Promise<number> {
  const [{ n }] = await sql.begin(async (tx) => {
    await tx`set local synchronous_commit = off`
    await tx`
      insert into routing.documents (id, sender, idempotency_key, request_digest, priority, issued_year, number, notation, fields, recipients,
        accepted_at, published_at, envelope, signatures, envelope_digest, signed_by)
      select document_id, sender, 'seed-' || document_id, md5(document_id), priority, extract(year from (fields->>'issuedAt')::date)::int,
        fields->>'number', fields->>'notation', fields, array[recipient], sent_at, sent_at, envelope, signatures, envelope_digest, 'custody'
      from inbox.items where recipient = ${recipient} and state = '01'`
    await tx`
      insert into routing.deliveries (document_id, recipient, status, status_at)
      select document_id, recipient, '01', received_at from inbox.items where recipient = ${recipient} and state = '01'`
    await tx`
      insert into routing.delivery_statuses (document_id, recipient, code, channel, at, receipt, signature)
      select i.document_id, i.recipient, '01', 'online', s.at, s.receipt, s.signature
      from inbox.items i join inbox.steps s on s.item_id = i.id and s.code = '01'
      where i.recipient = ${recipient} and i.state = '01'`
    return await tx`select count(*)::int as n from routing.deliveries where recipient = ${recipient}`
  }) as unknown as [{ n: number }]
  for (const table of ['documents', 'deliveries', 'delivery_statuses']) await settled(sql, 'routing', table)
  return n
}
