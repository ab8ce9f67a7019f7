/**
 * Lào Cai's provincial departments in 2023: the specialised agencies of the People's Committee
 * (cơ quan chuyên môn, Nghị định 107/2020/NĐ-CP with the border-province Sở Ngoại vụ and
 * Ban Dân tộc) and the Economic Zone Authority. Since 21/4/2022 Lào Cai has a separate
 * Sở Du lịch, split from the former Sở Văn hóa, Thể thao và Du lịch (Nghị quyết 38/NQ-HĐND of
 * 8/12/2021), so both successors are listed.
 *
 * The position in this list is the department's code: entry 1 is 000.00.01.H38, entry 2 is
 * 000.00.02.H38 and so on (the province's real numbering is in a decision that is not public).
 * Append new departments at the end; reordering would change the codes of existing ones.
 */
export const laocaiDepartments: ReadonlyArray<{ name: string }> = [
  { name: 'Văn phòng Ủy ban nhân dân tỉnh Lào Cai' },
  { name: 'Sở Nội vụ tỉnh Lào Cai' },
  { name: 'Sở Tài chính tỉnh Lào Cai' },
  { name: 'Sở Kế hoạch và Đầu tư tỉnh Lào Cai' },
  { name: 'Sở Tư pháp tỉnh Lào Cai' },
  { name: 'Sở Công Thương tỉnh Lào Cai' },
  { name: 'Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai' },
  { name: 'Sở Giao thông vận tải tỉnh Lào Cai' },
  { name: 'Sở Xây dựng tỉnh Lào Cai' },
  { name: 'Sở Tài nguyên và Môi trường tỉnh Lào Cai' },
  { name: 'Sở Thông tin và Truyền thông tỉnh Lào Cai' },
  { name: 'Sở Lao động - Thương binh và Xã hội tỉnh Lào Cai' },
  { name: 'Sở Văn hóa và Thể thao tỉnh Lào Cai' },
  { name: 'Sở Du lịch tỉnh Lào Cai' },
  { name: 'Sở Khoa học và Công nghệ tỉnh Lào Cai' },
  { name: 'Sở Giáo dục và Đào tạo tỉnh Lào Cai' },
  { name: 'Sở Y tế tỉnh Lào Cai' },
  { name: 'Sở Ngoại vụ tỉnh Lào Cai' },
  { name: 'Thanh tra tỉnh Lào Cai' },
  { name: 'Ban Dân tộc tỉnh Lào Cai' },
  { name: 'Ban Quản lý Khu kinh tế tỉnh Lào Cai' }
]
