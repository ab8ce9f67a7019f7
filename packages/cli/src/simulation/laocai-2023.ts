import { laocaiDirectory } from '@lienthong/seeds'
import type { DirectoryView, Scenario, SendTemplate } from './scenario.ts'
import type { SeededRandom } from './seeded-random.ts'

/**
 * Lào Cai in 2023: the province reported 97.4 % of work files handled fully online at the
 * province level, 87.86 % at the districts and 97 % at the communes. This scenario sends
 * documents between the four levels as a province does (directives down, reports up, a district
 * to its communes, a commune to its villages), opens some work files in the agencies' own DMSs,
 * and records some steps on paper, so that `lienthong report` comes out at those figures.
 *
 * Villages (thôn, tổ dân phố) had no reported figure: in 2023 most had no DMS of their own, a
 * village head read the commune's documents on the commune's account or on paper. The scenario
 * takes 70 % for them, below the communes, and gives them a small part of the files (5 %).
 *
 * The levels' parts of the files (25 / 35 / 35 / 5 %) and the default size (2,000 files) are
 * chosen so that each level's figure is reproduced to the reported precision: 487 of 500
 * province files is 97.4 %, 615 of 700 district files 87.857 %, 679 of 700 commune files 97 %,
 * 70 of 100 village files 70 %. A run of that size is 761 documents and 7,941 steps; most of its
 * time is the 6,000 single steps 04–06 (measured on the 2-core test machine while other stacks kept
 * it at a load of about 10: 4 minutes the first time, 3 once the agencies' API clients exist;
 * `--files` makes it smaller, at a coarser figure).
 */
export function laocai2023 (): Scenario {
  return {
    name: 'laocai-2023',
    directory: laocaiDirectory(),
    levels: {
      province: { weight: 0.25, onlineShare: 0.974, dmsPart: 0.4 },
      district: { weight: 0.35, onlineShare: 0.8786, dmsPart: 0.4 },
      commune: { weight: 0.35, onlineShare: 0.97, dmsPart: 0.4 },
      village: { weight: 0.05, onlineShare: 0.70, dmsPart: 0.4 }
    },
    sends: SENDS,
    dmsTitles: [
      'Đơn đề nghị của công dân nộp trực tiếp',
      'Kiến nghị cử tri tại buổi tiếp xúc',
      'Văn bản giấy nhận qua bưu điện',
      'Việc giao tại cuộc họp giao ban',
      'Hồ sơ thủ tục hành chính nộp tại bộ phận một cửa'
    ],
    defaults: { files: 2000, seed: 'laocai-2023' }
  }
}

const PEOPLE_COMMITTEE = 'people_committee'

const provinceCommittee = (d: DirectoryView): string => d.atLevel('province', PEOPLE_COMMITTEE)[0]!.code
const department = (d: DirectoryView, rng: SeededRandom): string => rng.pick(d.atLevel('province', 'department')).code
const district = (d: DirectoryView, rng: SeededRandom): string => rng.pick(d.atLevel('district')).code
const commune = (d: DirectoryView, rng: SeededRandom): string => rng.pick(d.atLevel('commune')).code
const codes = (list: Array<{ code: string }>): string[] => list.map((a) => a.code)

const DIRECTIVES = [
  'V/v triển khai thực hiện chuyển đổi số năm 2023',
  'V/v tăng cường công tác phòng, chống thiên tai mùa mưa lũ',
  'V/v đẩy mạnh giải ngân vốn đầu tư công',
  'V/v tổ chức các hoạt động kỷ niệm ngày thành lập tỉnh',
  'V/v thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững',
  'V/v chấn chỉnh kỷ luật, kỷ cương hành chính'
]
const REPORTS = [
  'Báo cáo kết quả thực hiện nhiệm vụ tháng',
  'Báo cáo tình hình kinh tế - xã hội quý',
  'Báo cáo kết quả cải cách hành chính',
  'Đề nghị hỗ trợ kinh phí khắc phục hậu quả mưa lũ',
  'Tờ trình phê duyệt danh sách hộ nghèo'
]
const NOTICES = [
  'Thông báo lịch tiếp công dân',
  'Giấy mời dự hội nghị sơ kết',
  'V/v cung cấp thông tin phục vụ công tác thống kê',
  'V/v phối hợp tổ chức ngày hội đại đoàn kết toàn dân tộc'
]
const down = (rng: SeededRandom): { type: string, subject: string } => ({ type: rng.pick(['Công văn', 'Kế hoạch', 'Quyết định']), subject: rng.pick(DIRECTIVES) })
const up = (rng: SeededRandom): { type: string, subject: string } => ({ type: rng.pick(['Báo cáo', 'Tờ trình', 'Công văn']), subject: rng.pick(REPORTS) })
const across = (rng: SeededRandom): { type: string, subject: string } => ({ type: rng.pick(['Công văn', 'Thông báo', 'Giấy mời']), subject: rng.pick(NOTICES) })

/** Who writes to whom, within the default sending policy; the weights are the kinds' shares within a recipient level. */
const SENDS: SendTemplate[] = [
  // to the province level: the People's Committee and its departments
  { name: 'committee-to-departments', recipientLevel: 'province', weight: 3, draw: (d, rng) => ({ sender: provinceCommittee(d), recipients: codes(rng.sample(d.atLevel('province', 'department'), rng.int(1, 3))), ...down(rng) }) },
  { name: 'department-to-committee', recipientLevel: 'province', weight: 2, draw: (d, rng) => ({ sender: department(d, rng), recipients: [provinceCommittee(d)], ...up(rng) }) },
  {
    name: 'department-to-department',
    recipientLevel: 'province',
    weight: 2,
    draw: (d, rng) => {
      const [from, to] = rng.sample(d.atLevel('province', 'department'), 2)
      return { sender: from!.code, recipients: [to!.code], ...across(rng) }
    }
  },
  { name: 'district-to-province-level', recipientLevel: 'province', weight: 3, draw: (d, rng) => ({ sender: district(d, rng), recipients: [rng.chance(0.5) ? provinceCommittee(d) : department(d, rng)], ...up(rng) }) },
  { name: 'commune-to-department', recipientLevel: 'province', weight: 1, draw: (d, rng) => ({ sender: commune(d, rng), recipients: [department(d, rng)], ...up(rng) }) },

  // to the districts
  { name: 'committee-to-districts', recipientLevel: 'district', weight: 2, draw: (d, rng) => ({ sender: provinceCommittee(d), recipients: codes(d.atLevel('district')), ...down(rng) }) },
  { name: 'department-to-districts', recipientLevel: 'district', weight: 2, draw: (d, rng) => ({ sender: department(d, rng), recipients: codes(rng.sample(d.atLevel('district'), rng.int(1, 9))), ...down(rng) }) },
  {
    name: 'district-to-district',
    recipientLevel: 'district',
    weight: 1,
    draw: (d, rng) => {
      const [from, to] = rng.sample(d.atLevel('district'), 2)
      return { sender: from!.code, recipients: [to!.code], ...across(rng) }
    }
  },
  {
    name: 'commune-to-own-district',
    recipientLevel: 'district',
    weight: 4,
    draw: (d, rng) => {
      const from = commune(d, rng)
      return { sender: from, recipients: [d.parentOf(from).code], ...up(rng) }
    }
  },

  // to the communes
  {
    name: 'district-to-all-its-communes',
    recipientLevel: 'commune',
    weight: 2,
    draw: (d, rng) => {
      const from = district(d, rng)
      return { sender: from, recipients: codes(d.childrenOf(from, 'commune')), group: { group: 'subtree', of: from, level: 'commune' }, ...down(rng) }
    }
  },
  {
    name: 'district-to-some-communes',
    recipientLevel: 'commune',
    weight: 3,
    draw: (d, rng) => {
      const from = district(d, rng)
      return { sender: from, recipients: codes(rng.sample(d.childrenOf(from, 'commune'), rng.int(1, 3))), ...down(rng) }
    }
  },
  { name: 'department-to-communes', recipientLevel: 'commune', weight: 1, draw: (d, rng) => ({ sender: department(d, rng), recipients: codes(rng.sample(d.atLevel('commune'), rng.int(1, 4))), ...across(rng) }) },
  {
    name: 'commune-to-sibling-commune',
    recipientLevel: 'commune',
    weight: 1,
    draw: (d, rng) => {
      const from = commune(d, rng)
      const siblings = d.childrenOf(d.parentOf(from).code, 'commune').filter((c) => c.code !== from)
      return { sender: from, recipients: [rng.pick(siblings).code], ...across(rng) }
    }
  },
  {
    name: 'village-to-own-commune',
    recipientLevel: 'commune',
    weight: 1,
    draw: (d, rng) => {
      const from = rng.pick(d.atLevel('village')).code
      return { sender: from, recipients: [d.parentOf(from).code], ...up(rng) }
    }
  },

  // to the villages
  {
    name: 'commune-to-its-villages',
    recipientLevel: 'village',
    weight: 1,
    draw: (d, rng) => {
      const from = commune(d, rng)
      return { sender: from, recipients: codes(rng.sample(d.childrenOf(from, 'village'), rng.int(1, 5))), ...down(rng) }
    }
  }
]
