// help.js — the help panel above every screen (#help-panel, closed until asked): what the law
// asks here, with its article, and what to do. The deadlines are never written here: the
// milestones whose records are kept on the screen are read from the ledger's own timeline
// (dashboard(), from the law's data), with their dates and articles.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, pick, lang } from './i18n.js';
import { displayDate } from './dates.js';

/** Per screen or record kind: what the law says (with its articles) and what to do here. */
const HELP = {
  dashboard: {
    law: { vi: 'Luật Bầu cử đại biểu Quốc hội và đại biểu HĐND (Luật số 85/2015/QH13, sửa đổi 2025) tính mọi mốc ngược từ ngày bầu cử.', en: 'The Election Law (No. 85/2015/QH13, amended 2025) counts every milestone back from election day.' },
    todo: { vi: 'Xem các mốc sắp đến hạn và quá hạn; bấm "Thêm" ở một mốc để nhập hồ sơ làm xong mốc đó. Mục "Cần xử lý" chỉ các hồ sơ trái quy định.', en: 'See the milestones due soon and overdue; "Add" on a milestone opens the form that completes it. "To settle" lists records that break a rule.' },
  },
  progress: {
    law: { vi: 'Cấp trên theo dõi tiến độ của từng xã theo các mốc luật định (Điều 22, 24, 25, 32, 59…).', en: 'The level above follows each commune against the legal milestones (Art 22, 24, 25, 32, 59…).' },
    todo: { vi: 'Mỗi ô là một mốc của một đơn vị. Xã "chưa đồng bộ" là xã chưa gửi số liệu, không phải chậm. Bấm tên xã để xem các mốc và hồ sơ của xã.', en: 'Each cell is one milestone of one unit. "Not synced" means no data yet, not late. Click a commune to see its milestones and records.' },
  },
  report: {
    law: { vi: 'Báo cáo tình hình chuẩn bị bầu cử gửi Ủy ban bầu cử cấp trên theo hướng dẫn của Hội đồng bầu cử quốc gia.', en: 'The preparation report goes to the committee above, as the National Election Council guides.' },
    todo: { vi: 'Kiểm tra số liệu, bấm một số để xem các hồ sơ của nó; "Xuất Excel" hoặc "Xuất PDF" để gửi lên cấp trên.', en: 'Check the figures (a figure opens its records); "Export Excel" or "Export PDF" to send upward.' },
  },
  sync: {
    law: { vi: 'Số liệu của xã được gửi lên huyện, tỉnh để tổng hợp; xung đột là một ô được sửa ở hai nơi.', en: "The commune's records go up to be merged; a conflict is one field edited in two places." },
    todo: { vi: 'Khi có mạng, sổ tự đồng bộ. Không có mạng: "Xuất ra USB" rồi mang tệp lên huyện. Xem và chọn giá trị đúng cho từng xung đột.', en: 'With a link the ledger syncs itself. Without: "Export to USB" and carry the file. Choose the right value of each conflict.' },
  },
  hub: {
    law: { vi: 'Huyện (hoặc tỉnh) tổng hợp số liệu của các xã.', en: 'The district (or province) merges its communes\' records.' },
    todo: { vi: 'Bấm "Làm máy chủ cho các xã", cấp mã đăng ký cho từng xã (đọc hoặc in mã QR), thu hồi máy bị mất.', en: 'Start serving, issue each commune an enrolment code (read out or print its QR code), revoke a lost laptop.' },
  },
  duplicates: {
    law: { vi: 'Mỗi công dân chỉ được ghi tên vào một danh sách cử tri (Điều 29).', en: 'A citizen is on one voter list only (Art 29).' },
    todo: { vi: 'So sánh hai người, giữ cả hai nếu là hai người khác nhau, hoặc xóa tên ở một xã với lý do.', en: 'Compare the two; keep both if they are two people, or take one off its list with a reason.' },
  },
  import: {
    law: { vi: 'Danh sách cử tri lập theo Mẫu 33 (Điều 29–31).', en: 'Voter lists follow form Mẫu 33 (Art 29–31).' },
    todo: { vi: 'Chọn tệp Excel (.xlsx, .xls, .ods) hoặc CSV; kiểm tra dòng tiêu đề, ghép cột lạ, sửa các lỗi được chỉ ra rồi nhập. "Tải mẫu" cho bảng trống.', en: 'Choose an Excel (.xlsx, .xls, .ods) or CSV file; check the header row, map unknown columns, fix the problems shown, then import. "Template" gives a blank sheet.' },
  },
  'election-day': {
    law: { vi: 'Bỏ phiếu từ 7 giờ đến 19 giờ (Điều 71); Tổ bầu cử kiểm phiếu và lập biên bản (Điều 76), Ban bầu cử xác định kết quả (Điều 77, 78).', en: 'Voting 07:00–19:00 (Art 71); teams count and write minutes (Art 76), boards determine the result (Art 77, 78).' },
    todo: { vi: 'Gõ số cử tri đã bỏ phiếu ở mỗi giờ báo cáo; sau khi kiểm phiếu, nhập biên bản từng cấp và số phiếu của người ứng cử.', en: 'Type the turnout at each reporting hour; after counting, enter each level\'s minutes and the candidates\' votes.' },
  },
  bin: {
    law: { vi: 'Hồ sơ đã xóa vẫn được giữ; xóa tên cử tri là thay đổi danh sách có lý do (Điều 34).', en: 'Deleted records are kept; taking a voter off the list is a change with its reason (Art 34).' },
    todo: { vi: 'Bấm "Khôi phục" để đưa hồ sơ trở lại.', en: '"Bring back" restores a record.' },
  },
  committee: {
    law: { vi: 'Ủy ban bầu cử ở tỉnh, xã (và huyện theo luật 2015) do Thường trực HĐND thành lập (Điều 22).', en: 'Election committees of the province and commune (and district, 2015 text) are formed by the council\'s standing body (Art 22).' },
    todo: { vi: 'Nhập quyết định thành lập, ngày thành lập và các thành viên (Chủ tịch, Phó Chủ tịch, Thư ký, ủy viên).', en: 'Enter the founding decision, its date and the members (chair, vice-chairs, secretary, members).' },
  },
  board: {
    law: { vi: 'Mỗi đơn vị bầu cử có một Ban bầu cử cho mỗi cấp (Điều 24); người ứng cử không được ở Ban bầu cử của đơn vị mình (Điều 27).', en: 'Each electoral unit has a board per level (Art 24); a candidate may not sit on the board of their own unit (Art 27).' },
    todo: { vi: 'Chọn đơn vị bầu cử, nhập số thành viên và ngày thành lập.', en: 'Choose the electoral unit, enter its size and the day it was formed.' },
  },
  team: {
    law: { vi: 'Mỗi khu vực bỏ phiếu có một Tổ bầu cử (Điều 25).', en: 'Each polling area has an election team (Art 25).' },
    todo: { vi: 'Chọn khu vực bỏ phiếu, nhập số thành viên và ngày thành lập.', en: 'Choose the polling area, enter its size and the day it was formed.' },
  },
  member: {
    law: { vi: 'Thành phần các tổ chức phụ trách bầu cử (Điều 22, 24, 25, 27).', en: 'Members of the election bodies (Art 22, 24, 25, 27).' },
    todo: { vi: 'Nhập họ tên, chức danh trong tổ chức và cơ quan công tác.', en: 'Enter the name, role in the body and workplace.' },
  },
  electoral_unit: {
    law: { vi: 'Đơn vị bầu cử bầu không quá 3 đại biểu Quốc hội, không quá 5 đại biểu HĐND (Điều 10).', en: 'An electoral unit elects at most 3 NA or 5 council deputies (Art 10).' },
    todo: { vi: 'Nhập cấp, số thứ tự, tên, số đại biểu được bầu và ngày công bố.', en: 'Enter the level, number, name, seats and the day it was published.' },
  },
  polling_area: {
    law: { vi: 'Khu vực bỏ phiếu có từ 300 đến 4.000 cử tri; có thể ít hơn ở miền núi, biên giới (Điều 11).', en: 'A polling area has 300 to 4,000 voters; fewer in mountain and border areas (Art 11).' },
    todo: { vi: 'Nhập số, tên, loại khu vực; ngày niêm yết danh sách cử tri và danh sách người ứng cử. In danh sách cử tri (Mẫu 33) từ đây.', en: 'Enter the number, name and kind; the days the voter and candidate lists were posted. Print the voter list (Mẫu 33) from here.' },
  },
  voter: {
    law: { vi: 'Danh sách cử tri lập theo khu vực bỏ phiếu, niêm yết để nhân dân kiểm tra (Điều 29–32); khiếu nại trong 30 ngày (Điều 33); thay đổi đến 24 giờ trước giờ bỏ phiếu (Điều 34).', en: 'Voter lists are made per polling area and posted for review (Art 29–32); complaints within 30 days (Art 33); changes until 24 h before voting (Art 34).' },
    todo: { vi: 'Nhập hoặc nhập từ Excel; xóa tên một cử tri là thay đổi danh sách có lý do.', en: 'Enter or import from Excel; taking a voter off is a change of the list with its reason.' },
  },
  list_change: {
    law: { vi: 'Thay đổi danh sách cử tri: bổ sung, xóa tên, đi bỏ phiếu nơi khác có giấy chứng nhận (Điều 34).', en: 'Changes of the voter list: added, removed, voting elsewhere with a certificate (Art 34).' },
    todo: { vi: 'Mỗi thay đổi ghi rõ lý do và ngày.', en: 'Each change has its reason and date.' },
  },
  candidate: {
    law: { vi: 'Hồ sơ ứng cử (Điều 35); danh sách chính thức (Điều 57, 58) phải nhiều hơn số đại biểu được bầu; niêm yết tại khu vực bỏ phiếu (Điều 59).', en: 'Nomination dossiers (Art 35); official lists (Art 57, 58) must have more candidates than seats; posted at each polling area (Art 59).' },
    todo: { vi: 'Nhập người ứng cử, cấp và đơn vị bầu cử, ngày nhận hồ sơ, tình trạng qua các vòng hiệp thương.', en: 'Enter the candidate, level and unit, the dossier date and the status through the consultations.' },
  },
  consultation: {
    law: { vi: 'Ba hội nghị hiệp thương do Mặt trận Tổ quốc tổ chức (Điều 38–56).', en: 'Three consultative conferences held by the Fatherland Front (Art 38–56).' },
    todo: { vi: 'Nhập vòng, cấp, ngày họp và kết quả.', en: 'Enter the round, level, date and outcome.' },
  },
  voter_conference: {
    law: { vi: 'Hội nghị cử tri nơi cư trú lấy ý kiến về người ứng cử (Điều 45, 54); đủ người dự theo Nghị quyết 1186/2021; người ứng cử cần trên 50% cử tri có mặt tín nhiệm.', en: 'Voter conferences where candidates live (Art 45, 54); quorum by Resolution 1186/2021; a candidate needs the confidence of more than half of those present.' },
    todo: { vi: 'Nhập người ứng cử, khu dân cư, số cử tri của khu, được triệu tập, có mặt và số phiếu tín nhiệm.', en: 'Enter the candidate, the residential area, its voters, those convened and present, and the confidence votes.' },
  },
  complaint: {
    law: { vi: 'Khiếu nại về danh sách cử tri: trong 30 ngày kể từ ngày niêm yết, trả lời trong 5 ngày (Điều 33); về người ứng cử: dừng 10 ngày trước ngày bầu cử (Điều 61). Đơn nặc danh không giải quyết.', en: 'Voter-list complaints: within 30 days of posting, answered within 5 days (Art 33); about candidates: closed 10 days before election day (Art 61). Anonymous ones are not processed.' },
    todo: { vi: 'Nhập ngày nhận, nội dung, người giải quyết, hạn và kết quả.', en: 'Enter when received, what about, who handles it, the deadline and the outcome.' },
  },
  incident: {
    law: { vi: 'Bảo đảm an ninh, trật tự cho cuộc bầu cử; báo cáo vụ việc lên cấp trên.', en: 'Keeping the election secure; incidents are reported upward.' },
    todo: { vi: 'Nhập ngày, địa điểm, sự việc, mức độ và cách xử lý.', en: 'Enter the date, place, what happened, severity and follow-up.' },
  },
  propaganda: {
    law: { vi: 'Tuyên truyền về cuộc bầu cử đến cử tri.', en: 'Informing voters about the election.' },
    todo: { vi: 'Nhập ngày, hình thức và số người được tuyên truyền.', en: 'Enter the date, form and people reached.' },
  },
  supervision: {
    law: { vi: 'Giám sát, kiểm tra công tác bầu cử.', en: 'Supervising the election work.' },
    todo: { vi: 'Nhập ngày, đoàn giám sát, nội dung và kiến nghị.', en: 'Enter the date, the team, what was checked and recommended.' },
  },
  voter_cards: {
    law: { vi: 'Phát thẻ cử tri trước ngày bầu cử (hướng dẫn của Bộ Nội vụ).', en: 'Voter cards are handed out before election day (Ministry of Home Affairs guidance).' },
    todo: { vi: 'Nhập khu vực bỏ phiếu và ngày phát xong thẻ.', en: 'Enter the polling area and the day the cards were handed out.' },
  },
  readiness: {
    law: { vi: 'Thông báo thời gian, địa điểm bỏ phiếu 10 ngày trước ngày bầu cử (Điều 70).', en: 'Voting time and place announced 10 days before (Art 70).' },
    todo: { vi: 'Nhập khu vực bỏ phiếu và ngày niêm yết thông báo.', en: 'Enter the polling area and the day the notice was posted.' },
  },
  early_voting: {
    law: { vi: 'Ủy ban bầu cử có thể cho một khu vực bỏ phiếu bầu sớm hơn (Điều 71).', en: 'The committee may let a polling area vote earlier (Art 71).' },
    todo: { vi: 'Nhập khu vực bỏ phiếu, ngày bỏ phiếu sớm và quyết định.', en: 'Enter the polling area, its voting day and the decision.' },
  },
  turnout_report: {
    law: { vi: 'Cuộc bỏ phiếu từ 7 giờ đến 19 giờ (Điều 71); Tổ bầu cử báo cáo số cử tri đã bỏ phiếu theo các giờ Ủy ban bầu cử định.', en: 'Voting runs 07:00–19:00 (Art 71); teams report how many have voted at the hours the committee sets.' },
    todo: { vi: 'Mỗi lần báo cáo: khu vực bỏ phiếu, thời điểm (dd/mm/yyyy hh:mm) và số cử tri đã bỏ phiếu đến lúc đó.', en: 'Each report: the polling area, the time (dd/mm/yyyy hh:mm) and how many have voted so far.' },
  },
  count_minutes: {
    law: { vi: 'Tổ bầu cử lập biên bản kết quả kiểm phiếu cho từng cấp (Điều 76): số cử tri đã bỏ phiếu không quá số trong danh sách; phiếu thu vào không quá phiếu phát ra; phiếu hợp lệ và không hợp lệ bằng phiếu thu vào.', en: 'Each team writes counting minutes per level (Art 76): voted ≤ listed; received ≤ issued; valid + invalid = received.' },
    todo: { vi: 'Nhập một biên bản cho mỗi cấp. Sửa biên bản thì ghi lý do; lịch sử giữ các lần sửa.', en: 'One minutes per level. A correction needs its reason; the history keeps every version.' },
  },
  candidate_votes: {
    law: { vi: 'Số phiếu của mỗi người ứng cử không quá số phiếu hợp lệ (Điều 76).', en: "A candidate's votes are at most the valid ballots (Art 76)." },
    todo: { vi: 'Nhập biên bản kiểm phiếu trước, rồi số phiếu của từng người ứng cử (có thể nhập cả tệp CSV của Tổ).', en: "Enter the counting minutes first, then each candidate's votes (a team's CSV imports in one go)." },
  },
  unit_result: {
    law: { vi: 'Ban bầu cử lập biên bản xác định kết quả bầu cử ở đơn vị bầu cử (Điều 77, 78).', en: "The board writes the result minutes of its electoral unit (Art 77, 78)." },
    todo: { vi: 'Xác nhận kết quả đã tính từ biên bản của các Tổ bầu cử: ngày và người ký.', en: "Confirm the result computed from the teams' minutes: the date and who signs." },
  },
  duplicate_decision: {
    law: { vi: 'Mỗi công dân chỉ được ghi tên vào một danh sách cử tri (Điều 29).', en: 'A citizen is on one voter list only (Art 29).' },
    todo: { vi: 'Các quyết định về cặp cử tri trùng giữa các xã.', en: 'The decisions about voters listed in two communes.' },
  },
};

/** The help of a route: its screen's, or its record kind's. */
function helpFor(route) {
  if (route.kind && HELP[route.kind]) return { key: route.kind, help: HELP[route.kind] };
  if (HELP[route.name]) return { key: route.name, help: HELP[route.name] };
  return null;
}

/** The panel for `route`, closed; null where there is nothing to say. */
export function helpPanel(route) {
  const found = helpFor(route);
  if (!found) return null;
  const { key, help } = found;
  const words = (pair) => (lang() === 'en' ? pair.en : pair.vi);
  const milestones = h('ul', { class: 'help-milestones', id: 'help-milestones' });
  const panel = h('details', { class: 'help-panel', id: 'help-panel', dataset: { help: key } },
    h('summary', { class: 'help-summary', id: 'help-toggle', text: t('help.summary') }),
    h('div', { class: 'help-body' },
      h('p', { class: 'help-law' }, h('strong', { text: `${t('help.law')}: ` }), words(help.law)),
      h('p', { class: 'help-todo' }, h('strong', { text: `${t('help.todo')}: ` }), words(help.todo)),
      milestones));
  // The milestones this kind of record completes, with their dates, from the ledger's timeline.
  let loaded = false;
  panel.addEventListener('toggle', () => {
    if (!panel.open || loaded || !route.kind) return;
    loaded = true;
    api.getDashboard().then((dashboard) => {
      const entries = (dashboard?.timeline || []).filter((entry) => entry.evidence_kind === route.kind && !entry.polling_area);
      replaceChildren(milestones, entries.map((entry) => h('li', {
        text: t('help.milestone', { name: pick(entry), date: displayDate(entry.due), art: entry.art }),
      })));
    }).catch(() => {});
  });
  return panel;
}
