// i18n.js — the interface language: Vietnamese by default, English on request through
// #lang-toggle, the choice remembered in localStorage. Holds every fixed UI string in both
// languages. Record-kind and field labels are NOT here: they come from schema() (vi/en), read
// through `pick`.

const STORAGE_KEY = 'sobaucu.lang';
const LANGUAGES = ['vi', 'en'];

/** English "N day(s)" with the right plural. */
const days = (n) => `${n} ${Math.abs(Number(n)) === 1 ? 'day' : 'days'}`;

/**
 * Every UI string. A value is a string with {placeholders}, or a function of the variables
 * (used where English needs a plural).
 */
const STRINGS = {
  // Application
  'app.name': { vi: 'Sổ Bầu Cử', en: 'Sổ Bầu Cử' },
  'app.subtitle': { vi: 'Sổ hồ sơ bầu cử của xã', en: 'Commune election ledger' },
  'app.loading': { vi: 'Đang mở sổ…', en: 'Opening the ledger…' },
  'app.start_failed': { vi: 'Không mở được sổ', en: 'The ledger could not be opened' },
  'app.retry': { vi: 'Thử lại', en: 'Try again' },
  'app.not_found': { vi: 'Không có trang này.', en: 'There is no such page.' },
  'app.unknown_kind': { vi: 'Không có loại hồ sơ “{kind}”.', en: 'There is no record kind “{kind}”.' },
  'app.back_dashboard': { vi: 'Về trang tổng quan', en: 'Back to the overview' },
  'app.no_bridge': {
    vi: 'Không kết nối được với phần lõi của ứng dụng.',
    en: 'The application core cannot be reached.',
  },
  'app.loading_short': { vi: 'Đang tải…', en: 'Loading…' },

  // Language toggle: shows the language you switch TO.
  'lang.toggle': { vi: 'EN', en: 'VI' },
  'lang.toggle_title': { vi: 'Switch to English', en: 'Chuyển sang tiếng Việt' },

  // First run
  'unlock.heading': { vi: 'Mở sổ', en: 'Open the ledger' },
  'unlock.heading_new': { vi: 'Bảo vệ sổ bằng mật khẩu', en: 'Protect the ledger with a passphrase' },
  'unlock.intro': {
    vi: 'Sổ được mã hóa trên máy. Chọn tên của bạn và nhập mật khẩu để mở.',
    en: 'The ledger is encrypted on this computer. Choose your name and type your passphrase to open it.',
  },
  'unlock.intro_new': {
    vi: 'Sổ sẽ được mã hóa: ai lấy được tệp cũng không đọc được nếu không có mật khẩu. Người tạo sổ là chủ tịch, có thể thêm người dùng khác.',
    en: 'The ledger will be encrypted: whoever copies the file cannot read it without a passphrase. Whoever creates it is its chair and can add other users.',
  },
  'unlock.name': { vi: 'Họ và tên của bạn', en: 'Your name' },
  'unlock.name_ph': { vi: 'Ví dụ: Lò Văn Minh', en: 'e.g. Lò Văn Minh' },
  'unlock.name_hint': { vi: 'Tên này được ghi vào mọi thay đổi bạn làm.', en: 'This name is recorded on every change you make.' },
  'unlock.user': { vi: 'Người dùng', en: 'User' },
  'unlock.as': { vi: 'Người dùng: {name}', en: 'User: {name}' },
  'unlock.passphrase': { vi: 'Mật khẩu', en: 'Passphrase' },
  'unlock.passphrase_hint': { vi: 'Ít nhất {n} ký tự. Hãy nhớ kỹ: quên mật khẩu thì phải khôi phục sổ từ máy chủ.', en: 'At least {n} characters. Remember it: a forgotten passphrase means restoring the ledger from the hub.' },
  'unlock.again': { vi: 'Nhập lại mật khẩu', en: 'Passphrase again' },
  'unlock.open': { vi: 'Mở sổ', en: 'Open' },
  'unlock.create': { vi: 'Tạo sổ', en: 'Create' },
  'unlock.opening': { vi: 'Đang mở…', en: 'Opening…' },
  'unlock.need_name': { vi: 'Hãy nhập họ và tên.', en: 'Type your name.' },
  'unlock.need_passphrase': { vi: 'Hãy nhập mật khẩu.', en: 'Type your passphrase.' },
  'unlock.too_short': { vi: 'Mật khẩu cần ít nhất {n} ký tự.', en: 'The passphrase needs at least {n} characters.' },
  'unlock.mismatch': { vi: 'Hai lần nhập mật khẩu không giống nhau.', en: 'The two passphrases differ.' },
  'unlock.lock': { vi: 'Khóa sổ', en: 'Lock' },
  'role.chair': { vi: 'Chủ tịch', en: 'Chair' },
  'role.secretary': { vi: 'Thư ký', en: 'Secretary' },
  'role.member': { vi: 'Thành viên', en: 'Member' },
  'role.viewer': { vi: 'Chỉ xem', en: 'Viewer' },
  'backup.title': { vi: 'Sao lưu', en: 'Backup' },
  'backup.never': { vi: 'Sổ chưa được sao lưu lần nào.', en: 'The ledger has never been backed up.' },
  'backup.last': { vi: 'Sao lưu gần nhất: {date}.', en: 'Last backup: {date}.' },
  'backup.remind': {
    vi: 'Đã hơn một tuần chưa sao lưu sổ: hãy sao lưu ra USB để không mất dữ liệu khi máy hỏng.',
    en: 'The ledger has not been backed up for over a week: back it up to a USB stick so a broken computer loses nothing.',
  },
  'backup.now': { vi: 'Sao lưu ngay', en: 'Back up now' },
  'backup.restore': { vi: 'Khôi phục từ bản sao lưu', en: 'Restore a backup' },
  'backup.done': { vi: 'Đã sao lưu vào {file}.', en: 'Backed up to {file}.' },
  'backup.restore_title': { vi: 'Khôi phục sổ từ bản sao lưu', en: 'Restore the ledger from a backup' },
  'backup.restore_message': {
    vi: 'Nhập mật khẩu của bạn lúc sao lưu. Sổ hiện tại được chuyển sang thư mục riêng, không bị xóa.',
    en: 'Type your passphrase as it was when the backup was taken. The current ledger is moved aside, not deleted.',
  },
  'backup.restored': { vi: 'Đã khôi phục bản sao lưu ngày {date}. Hãy mở sổ lại.', en: 'Restored the backup of {date}. Open the ledger again.' },
  'backup.restored_new_node': {
    vi: 'Bản sao lưu từ máy khác: sổ này là một máy mới và cần đăng ký lại với máy chủ.',
    en: 'A backup from another computer: this ledger is a new node and must enrol with its hub again.',
  },
  'setup.date_check_title': { vi: 'Kiểm tra ngày bầu cử', en: 'Check the election date' },
  'setup.date_question': { vi: 'Vẫn dùng ngày này?', en: 'Use it anyway?' },
  'setup.date_keep': { vi: 'Dùng ngày này', en: 'Use this date' },
  'history.title': { vi: 'Lịch sử thay đổi', en: 'History of changes' },
  'history.when': { vi: 'Thời gian', en: 'When' },
  'history.who': { vi: 'Người thay đổi', en: 'Who' },
  'history.node': { vi: 'Máy', en: 'Computer' },
  'history.fields': { vi: 'Nội dung', en: 'What' },
  'history.here': { vi: 'máy này', en: 'this computer' },
  'history.unknown': { vi: '(không rõ)', en: '(unknown)' },
  'history.deleted': { vi: 'Xóa hồ sơ', en: 'Deleted the record' },
  'history.reason': { vi: 'Lý do', en: 'Reason' },
  'confidence.title': { vi: 'Tín nhiệm của người ứng cử ở hội nghị cử tri', en: 'Candidates\' confidence at voter conferences' },
  'confidence.none': { vi: 'Chưa có người ứng cử ở cấp này.', en: 'No candidate at this level yet.' },
  'confidence.summary': { vi: '{carried}/{total} người được quá nửa cử tri dự hội nghị tín nhiệm.', en: '{carried} of {total} carried the confidence of more than half of those present.' },
  'confidence.candidate': { vi: 'Người ứng cử', en: 'Candidate' },
  'confidence.unit': { vi: 'Đơn vị bầu cử', en: 'Electoral unit' },
  'confidence.conferences': { vi: 'Số hội nghị', en: 'Conferences' },
  'confidence.carried': { vi: 'Đạt', en: 'Carried' },
  'confidence.not_carried': { vi: 'Không đạt', en: 'Not carried' },
  'confidence.without_quorum': { vi: 'Không đủ số lượng', en: 'Without quorum' },
  'confidence.verdict': { vi: 'Kết quả', en: 'Verdict' },
  'confidence.carried_verdict': { vi: 'Được tín nhiệm', en: 'Carried' },
  'confidence.not_carried_verdict': { vi: 'Không được quá nửa tín nhiệm', en: 'Not carried' },
  'confidence.pending_verdict': { vi: 'Chưa có hội nghị hợp lệ', en: 'No valid conference yet' },
  'form.readonly': {
    vi: 'Bạn có vai trò Chỉ xem: được xem và in, không được thay đổi hồ sơ.',
    en: 'You are a viewer: you may read and print, not change records.',
  },
  'pg.issues': { vi: 'Cần xử lý: {e} lỗi, {w} cảnh báo', en: 'To settle: {e} errors, {w} warnings' },
  'check.title': { vi: 'Cần xử lý', en: 'To settle' },
  'check.none': { vi: 'Không có vi phạm hay cảnh báo nào theo luật.', en: 'No violation or warning of the law.' },
  'check.error': { vi: 'Lỗi', en: 'Error' },
  'check.warning': { vi: 'Cảnh báo', en: 'Warning' },
  'check.article': { vi: 'Điều {art}', en: 'Art {art}' },
  'check.more': { vi: 'và {n} mục khác (xem bằng lệnh sobaucu check)', en: 'and {n} more (see `sobaucu check`)' },
  'setup.intro': {
    vi: 'Sổ ghi chép mọi hồ sơ chuẩn bị bầu cử của xã — tổ chức phụ trách bầu cử, khu vực bỏ phiếu, cử tri, người ứng cử, hội nghị, khiếu nại — đối chiếu với các mốc thời gian luật định. Dữ liệu lưu ngay trên máy này, không cần mạng.',
    en: 'A ledger of every election-preparation record of your commune — election bodies, polling areas, voters, candidates, conferences, complaints — checked against the legal timeline. Data stays on this computer; no network is needed.',
  },
  'setup.heading': { vi: 'Tạo sổ cho đơn vị của bạn', en: 'Create the ledger for your unit' },
  'setup.scheme': { vi: 'Danh mục đơn vị hành chính', en: 'Administrative units' },
  'setup.scheme_2025': { vi: 'Sau sáp nhập 2025 (tỉnh → xã)', en: 'After the 2025 merger (province → commune)' },
  'setup.scheme_2021': { vi: '2021 (tỉnh → huyện → xã)', en: '2021 (province → district → commune)' },
  'setup.unit': { vi: 'Đơn vị', en: 'Unit' },
  'setup.unit_search_ph': {
    vi: 'Gõ tên xã, phường… (có dấu hay không dấu đều được)',
    en: 'Type a commune or ward name… (diacritics optional)',
  },
  'setup.unit_hint': {
    vi: 'Gõ vài chữ của tên rồi bấm chọn trong danh sách.',
    en: 'Type part of the name, then pick from the list.',
  },
  'setup.searching': { vi: 'Đang tìm…', en: 'Searching…' },
  'setup.no_results': { vi: 'Không tìm thấy đơn vị nào.', en: 'No unit found.' },
  'setup.browse': { vi: 'Hoặc chọn lần lượt theo danh sách', en: 'Or browse the list' },
  'setup.level_province': { vi: 'Tỉnh, thành phố', en: 'Province or city' },
  'setup.level_district': { vi: 'Huyện, quận, thị xã, thành phố', en: 'District' },
  'setup.level_commune': { vi: 'Xã, phường, thị trấn, đặc khu', en: 'Commune or ward' },
  'setup.choose': { vi: '— Chọn —', en: '— Choose —' },
  'setup.chosen': { vi: 'Đơn vị đã chọn', en: 'Chosen unit' },
  'setup.none_chosen': { vi: 'Chưa chọn đơn vị.', en: 'No unit chosen yet.' },
  'setup.change_unit': { vi: 'Chọn lại', en: 'Change' },
  'setup.election': { vi: 'Ngày bầu cử', en: 'Election day' },
  'setup.election_hint': { vi: 'Nhập dd/mm/yyyy, ví dụ 15/03/2026.', en: 'Type dd/mm/yyyy, e.g. 15/03/2026.' },
  'setup.law': { vi: 'Luật áp dụng', en: 'Law version' },
  'setup.law_2025': { vi: 'Luật sửa đổi 2025 (83/2025/QH15)', en: '2025 amendment (83/2025/QH15)' },
  'setup.law_2015': { vi: 'Luật 2015 (85/2015/QH13)', en: '2015 law (85/2015/QH13)' },
  'setup.law_hint': {
    vi: 'Tự chọn theo ngày bầu cử: từ 01/07/2025 áp dụng luật sửa đổi. Có thể đổi nếu cần.',
    en: 'Chosen from the election day: from 01/07/2025 the amended law applies. You may change it.',
  },
  'setup.create': { vi: 'Tạo sổ', en: 'Create the ledger' },
  'setup.creating': { vi: 'Đang tạo sổ…', en: 'Creating…' },
  'setup.or': { vi: 'hoặc', en: 'or' },
  'setup.demo': { vi: 'Mở sổ mẫu (một xã Lai Châu)', en: 'Open a sample ledger (a Lai Châu commune)' },
  'setup.demo_hint': {
    vi: 'Sổ mẫu có sẵn dữ liệu giả để làm quen với ứng dụng.',
    en: 'The sample ledger comes filled with made-up records to try the application.',
  },
  'setup.err_unit': { vi: 'Hãy chọn một đơn vị.', en: 'Choose a unit.' },
  'setup.err_date': { vi: 'Ngày bầu cử chưa đúng, hãy nhập dd/mm/yyyy.', en: 'The election day is not valid; type dd/mm/yyyy.' },
  'setup.data_dir': { vi: 'Dữ liệu lưu tại: {dir}', en: 'Data folder: {dir}' },

  // Shell
  'nav.dashboard': { vi: 'Tổng quan', en: 'Overview' },
  'nav.report': { vi: 'Báo cáo', en: 'Report' },
  'nav.other': { vi: 'Khác', en: 'Other' },
  'nav.label': { vi: 'Điều hướng', en: 'Navigation' },
  'shell.election_on': { vi: 'Bầu cử {date}', en: 'Election {date}' },
  'shell.law': { vi: 'Luật {law}', en: '{law} law' },
  'nav.sync': { vi: 'Đồng bộ', en: 'Sync' },
  'nav.sync_conflicts': {
    vi: '{n} xung đột cần xem xét',
    en: (v) => `${v.n} ${Number(v.raw) === 1 ? 'conflict' : 'conflicts'} to review`,
  },

  // Sync: the sidebar corner (#sync-status)
  'sync.none': { vi: 'Chưa kết nối máy chủ', en: 'Not connected to a hub' },
  'sync.running': { vi: 'Đang đồng bộ…', en: 'Syncing…' },
  'sync.running_pct': { vi: 'Đang đồng bộ… {pct}%', en: 'Syncing… {pct}%' },
  'sync.ok': { vi: 'Đã đồng bộ {time} · {n} chờ gửi', en: 'Synced {time} · {n} pending' },
  'sync.never': { vi: 'Chưa đồng bộ · {n} chờ gửi', en: 'Not synced yet · {n} pending' },
  'sync.offline': { vi: 'Mất kết nối · {n} chờ gửi', en: 'Offline · {n} pending' },
  'sync.corner_title': { vi: 'Mở trang đồng bộ', en: 'Open the sync page' },
  'sync.corner_synced_at': { vi: 'Đồng bộ lần cuối {date}', en: 'Last synced {date}' },

  // Sync: the view (#sync-view)
  'sync.title': { vi: 'Đồng bộ', en: 'Sync' },
  'sync.lead': {
    vi: 'Sổ gửi các thay đổi lên máy chủ cấp trên và nhận về thay đổi của nơi khác — qua mạng khi có, hoặc bằng tệp USB.',
    en: 'The ledger sends its changes up to the hub above and receives changes made elsewhere — over the network when there is one, or by USB file.',
  },
  'sync.enroll_heading': { vi: 'Kết nối với máy chủ cấp trên', en: 'Connect to the hub above' },
  'sync.enroll_intro': {
    vi: 'Nhập địa chỉ máy chủ và mã đăng ký do cán bộ huyện cấp. Mã chỉ dùng được một lần; sau khi kết nối, sổ tự đồng bộ mỗi khi có mạng.',
    en: 'Enter the hub address and the enrolment code given by the district officer. The code works once; once connected, the ledger syncs by itself whenever there is a network.',
  },
  'sync.hub_url': { vi: 'Địa chỉ máy chủ', en: 'Hub address' },
  'sync.code': { vi: 'Mã đăng ký', en: 'Enrolment code' },
  'sync.code_hint': {
    vi: 'Mã máy chủ cấp cho xã, theo nhóm năm ký tự; không phân biệt chữ hoa, chữ thường. Gõ sai một ký tự sẽ được báo ngay.',
    en: 'The code the hub issued, in groups of five characters; upper or lower case both work. A mistyped character is caught at once.',
  },
  'sync.refused': { vi: 'Thay đổi bị máy chủ từ chối', en: 'Changes the hub refused' },
  'sync.refused_item': { vi: '{what}: {why}', en: '{what}: {why}' },
  'refusal.foreign_record': { vi: 'bản ghi thuộc đơn vị khác, không sửa được từ sổ này', en: 'the record belongs to another unit and cannot be changed from this ledger' },
  'refusal.foreign_unit': { vi: 'ngoài đơn vị của sổ này', en: 'outside this ledger\'s unit' },
  'refusal.foreign_kind': { vi: 'loại bản ghi không khớp', en: 'the kind of record does not match' },
  'refusal.foreign_origin': { vi: 'không phải thay đổi của máy này', en: 'not this computer\'s change' },
  'refusal.bad_value': { vi: 'giá trị không hợp lệ', en: 'a value of the wrong type' },
  'refusal.clock_ahead': { vi: 'đồng hồ máy tính chạy sai (sớm quá một ngày): hãy chỉnh ngày giờ', en: 'the computer\'s clock is wrong (over a day ahead): set the date and time' },
  'refusal.revoked': { vi: 'máy này đã bị thu hồi quyền đồng bộ', en: 'this computer was revoked' },
  'refusal.unknown_origin': { vi: 'máy gửi chưa được máy chủ chứng nhận', en: 'the sending computer is not certified by the hub' },
  'sync.enroll': { vi: 'Kết nối', en: 'Connect' },
  'sync.enrolling': { vi: 'Đang kết nối…', en: 'Connecting…' },
  'sync.enrolled': { vi: 'Đã kết nối máy chủ', en: 'Connected to the hub' },
  'sync.err_url': { vi: 'Hãy nhập địa chỉ máy chủ.', en: 'Enter the hub address.' },
  'sync.err_code': { vi: 'Hãy nhập mã đăng ký.', en: 'Enter the enrolment code.' },
  'sync.not_enrolled_failed': { vi: 'Chưa kết nối được.', en: 'Not connected.' },
  'sync.hub_heading': { vi: 'Máy chủ cấp trên', en: 'Hub above' },
  'sync.hub': { vi: 'Máy chủ', en: 'Hub' },
  'sync.hub_code': { vi: 'mã {code}', en: 'code {code}' },
  'sync.address': { vi: 'Địa chỉ', en: 'Address' },
  'sync.last': { vi: 'Đồng bộ lần cuối', en: 'Last sync' },
  'sync.last_never': { vi: 'Chưa đồng bộ lần nào', en: 'Never synced' },
  'sync.pending': { vi: 'Thay đổi chờ gửi', en: 'Changes waiting to be sent' },
  'sync.progress_label': { vi: 'Tiến độ đồng bộ', en: 'Sync progress' },
  'sync.progress_line': {
    vi: 'đã gửi {pushed}/{to_push} · đã nhận {pulled} · {bytes}',
    en: 'sent {pushed}/{to_push} · received {pulled} · {bytes}',
  },
  'sync.progress_line_nopush': { vi: 'đã nhận {pulled} · {bytes}', en: 'received {pulled} · {bytes}' },
  'sync.error_lead': { vi: 'Lần đồng bộ gần nhất không thành công:', en: 'The last sync attempt failed:' },
  'sync.next_attempt': { vi: 'Sẽ tự thử lại lúc {time}.', en: 'Next attempt at {time}.' },
  'sync.now': { vi: 'Đồng bộ ngay', en: 'Sync now' },
  'sync.auto_hint': {
    vi: 'Sổ tự đồng bộ vài giây sau mỗi thay đổi và vài phút một lần.',
    en: 'The ledger syncs by itself a few seconds after each change and every few minutes.',
  },

  // The hub this computer serves its communes with (hub.js)
  'nav.hub': { vi: 'Làm máy chủ cho các xã', en: 'Serve the communes' },
  'hub.title': { vi: 'Làm máy chủ cho các xã', en: 'Serve the communes' },
  'hub.lead': {
    vi: 'Máy này nhận hồ sơ các xã gửi lên qua mạng nội bộ và gộp vào sổ của {unit}. Không cần cán bộ kỹ thuật: khởi động máy chủ, cấp mã cho từng xã, đọc mã qua điện thoại hoặc in ra.',
    en: 'This computer receives what the communes send over the office network and merges it into the ledger of {unit}. No IT staff needed: start the hub, issue a code to each commune, read it out over the phone or print it.',
  },
  'hub.from_sync': { vi: 'Làm máy chủ cho các xã…', en: 'Serve the communes…' },
  'hub.status_heading': { vi: 'Máy chủ', en: 'The hub' },
  'hub.not_available': {
    vi: 'Sổ của xã không có đơn vị cấp dưới để phục vụ: sổ của xã đồng bộ với máy chủ của huyện hay tỉnh.',
    en: 'A commune ledger has no units below it to serve: it syncs with the district or province hub.',
  },
  'hub.stopped': { vi: 'Máy chủ đang dừng: các xã chưa gửi hồ sơ lên máy này được.', en: 'The hub is stopped: the communes cannot send to this computer.' },
  'hub.never': {
    vi: 'Máy này chưa làm máy chủ. Khi khởi động, máy chủ được lập bên cạnh sổ, khóa bằng mật khẩu của bạn, và tự chạy lại mỗi khi mở sổ.',
    en: 'This computer does not serve yet. Started, the hub is made beside the ledger, locked with your passphrase, and serves again each time the ledger is opened.',
  },
  'hub.running': { vi: 'Máy chủ đang chạy tại {urls} — đóng ứng dụng sẽ dừng máy chủ.', en: 'The hub is running at {urls} — closing the app stops the hub.' },
  'hub.running_local': {
    vi: 'Máy chủ đang chạy tại {url} — đóng ứng dụng sẽ dừng máy chủ. Máy này chưa nối mạng nội bộ: hãy nối mạng để các xã kết nối được.',
    en: 'The hub is running at {url} — closing the app stops the hub. This computer is on no office network: connect it so the communes can reach it.',
  },
  'hub.keep_open': {
    vi: 'Để các xã gửi được hồ sơ, hãy để ứng dụng mở (có thể thu nhỏ cửa sổ).',
    en: 'Keep the app open (it may be minimised) so the communes can send.',
  },
  'hub.addresses': { vi: 'Địa chỉ cho các xã', en: 'Address for the communes' },
  'hub.port': { vi: 'Cổng', en: 'Port' },
  'hub.port_hint': { vi: 'Để nguyên {port} nếu không có lý do đổi. Sau khi các xã đã kết nối, không đổi cổng được nữa.', en: 'Keep {port} unless there is a reason to change it. Once communes have connected, the port stays.' },
  'hub.start': { vi: 'Khởi động máy chủ', en: 'Start the hub' },
  'hub.starting': { vi: 'Đang khởi động…', en: 'Starting…' },
  'hub.started': { vi: 'Máy chủ đã chạy', en: 'The hub is running' },
  'hub.stop': { vi: 'Dừng máy chủ', en: 'Stop the hub' },
  'hub.stopped_toast': { vi: 'Máy chủ đã dừng', en: 'The hub is stopped' },
  'hub.stop_confirm_title': { vi: 'Dừng máy chủ?', en: 'Stop the hub?' },
  'hub.stop_confirm': {
    vi: 'Các xã sẽ không gửi được hồ sơ lên máy này cho đến khi khởi động lại. Máy chủ không tự chạy lại khi mở sổ.',
    en: 'The communes cannot send to this computer until it is started again. It will not start by itself when the ledger is opened.',
  },
  'hub.stop_ok': { vi: 'Dừng', en: 'Stop' },
  'hub.ledger_own': { vi: 'Sổ của máy này đồng bộ với máy chủ này: hồ sơ các xã gửi lên hiện ngay trong sổ.', en: 'This computer\'s ledger syncs with this hub: what the communes send shows in the ledger.' },
  'hub.ledger_elsewhere': {
    vi: 'Sổ của máy này đồng bộ với máy chủ {name} ({url}). Máy chủ này chuyển hồ sơ các xã lên đó, rồi sổ nhận về từ đó.',
    en: 'This computer\'s ledger syncs with the hub of {name} ({url}). This hub passes what the communes send up there, and the ledger receives it from there.',
  },
  'hub.parent': { vi: 'Chuyển tiếp lên máy chủ {name} ({url}).', en: 'Relays up to the hub of {name} ({url}).' },
  'hub.parent_heading': { vi: 'Đăng ký với máy chủ cấp trên', en: 'Enrol with the hub above' },
  'hub.parent_intro': {
    vi: 'Sổ này đang đồng bộ với máy chủ {name} ({url}). Để các xã gửi hồ sơ qua máy này, máy chủ này phải đăng ký với máy chủ đó: xin mã đăng ký loại “máy chủ” cho {unit} ở đó và nhập vào đây.',
    en: 'This ledger syncs with the hub of {name} ({url}). For the communes to send through this computer, this hub must enrol with that hub: ask there for an enrolment code of role “hub” for {unit} and enter it here.',
  },
  'hub.parent_url': { vi: 'Địa chỉ máy chủ cấp trên', en: 'Address of the hub above' },
  'hub.parent_code': { vi: 'Mã đăng ký loại máy chủ', en: 'Enrolment code (role hub)' },
  'hub.error_lead': { vi: 'Máy chủ chưa chạy được:', en: 'The hub could not start:' },
  'hub.issue_heading': { vi: 'Cấp mã đăng ký cho một xã', en: 'Issue an enrolment code to a commune' },
  'hub.issue_intro': {
    vi: 'Mỗi mã dùng được một lần, cho một máy của đơn vị đã chọn. Đọc mã qua điện thoại hoặc in ra gửi xã.',
    en: 'Each code works once, for one computer of the unit chosen. Read it out over the phone or print it for the commune.',
  },
  'hub.unit': { vi: 'Đơn vị', en: 'Unit' },
  'hub.unit_choose': { vi: '— Chọn đơn vị —', en: '— Choose a unit —' },
  'hub.unit_own': { vi: '{name} (máy khác của đơn vị này)', en: '{name} (another computer of this unit)' },
  'hub.role': { vi: 'Mã dùng cho', en: 'The code enrols' },
  'hub.role_node': { vi: 'Sổ của đơn vị', en: 'The unit\'s ledger' },
  'hub.role_hub': { vi: 'Máy chủ của đơn vị', en: 'The unit\'s hub' },
  'hub.days': { vi: 'Số ngày còn hiệu lực', en: 'Days it stays valid' },
  'hub.issue': { vi: 'Cấp mã', en: 'Issue the code' },
  'hub.issuing': { vi: 'Đang cấp mã…', en: 'Issuing…' },
  'hub.need_unit': { vi: 'Hãy chọn đơn vị.', en: 'Choose a unit.' },
  'hub.need_running': { vi: 'Hãy khởi động máy chủ trước khi cấp mã.', en: 'Start the hub before issuing codes.' },
  'hub.code_for': { vi: 'Mã đăng ký cho {name}', en: 'Enrolment code for {name}' },
  'hub.code_label': { vi: 'Mã đăng ký', en: 'Enrolment code' },
  'hub.code_qr': { vi: 'Mã QR của mã đăng ký', en: 'The enrolment code as a QR code' },
  'hub.code_expires': { vi: 'Dùng được một lần, đến hết ngày {date}.', en: 'Works once, until the end of {date}.' },
  'hub.code_address': { vi: 'Địa chỉ máy chủ', en: 'Hub address' },
  'hub.code_steps': {
    vi: 'Ở máy của xã: mở Sổ Bầu Cử, vào “Đồng bộ”, nhập địa chỉ máy chủ và mã đăng ký, rồi bấm “Kết nối”.',
    en: 'On the commune\'s computer: open Sổ Bầu Cử, go to “Sync”, enter the hub address and the enrolment code, then press “Connect”.',
  },
  'hub.print': { vi: 'In mã', en: 'Print the code' },
  'hub.children_heading': { vi: 'Các đơn vị đã kết nối', en: 'Units connected' },
  'hub.children_none': { vi: 'Chưa có xã nào kết nối với máy chủ này.', en: 'No commune has connected to this hub yet.' },
  'hub.col_unit': { vi: 'Đơn vị', en: 'Unit' },
  'hub.col_role': { vi: 'Loại', en: 'Kind' },
  'hub.col_last': { vi: 'Đồng bộ lần cuối', en: 'Last sync' },
  'hub.col_state': { vi: 'Trạng thái', en: 'State' },
  'hub.kind_node': { vi: 'Sổ', en: 'Ledger' },
  'hub.kind_hub': { vi: 'Máy chủ', en: 'Hub' },
  'hub.this_computer': { vi: 'Sổ của máy này', en: 'This computer\'s ledger' },
  'hub.never_synced': { vi: 'Chưa đồng bộ', en: 'Never synced' },
  'hub.active': { vi: 'Đang hoạt động', en: 'Active' },
  'hub.revoked': { vi: 'Đã thu hồi', en: 'Revoked' },
  'hub.must_enrol_again': { vi: 'Cần đăng ký lại', en: 'Must enrol again' },
  'hub.revoke': { vi: 'Thu hồi', en: 'Revoke' },
  'hub.revoke_title': { vi: 'Thu hồi máy của {name}?', en: 'Revoke the computer of {name}?' },
  'hub.revoke_message': {
    vi: 'Dùng khi máy bị mất hay bị lấy cắp. Máy này sẽ không đồng bộ được nữa; hồ sơ đã gửi vẫn được giữ. Xã cần mã mới để đăng ký máy khác. Không hoàn tác được.',
    en: 'For a lost or stolen computer. It can no longer sync; what it sent is kept. The commune needs a new code to enrol another computer. This cannot be undone.',
  },
  'hub.revoked_toast': { vi: 'Đã thu hồi máy của {name}', en: 'The computer of {name} is revoked' },

  // Sync: USB files
  'usb.heading': { vi: 'Tệp USB', en: 'USB file' },
  'usb.intro': {
    vi: 'Khi không có mạng: xuất các thay đổi ra tệp, mang tệp lên văn phòng huyện, rồi nhập tệp trả lời mà huyện gửi về.',
    en: 'Without a network: export the changes to a file, take it to the district office, then import the answer file they give back.',
  },
  'usb.needs_hub': {
    vi: 'Cần kết nối với máy chủ cấp trên (mã đăng ký) trước khi dùng tệp USB.',
    en: 'Connect to the hub above (enrolment code) before using USB files.',
  },
  'usb.export': { vi: 'Xuất ra USB', en: 'Export to USB' },
  'usb.import': { vi: 'Nhập từ USB', en: 'Import from USB' },
  'usb.working': { vi: 'Đang xử lý tệp…', en: 'Working on the file…' },
  'usb.exported': {
    vi: 'Đã ghi {n} thay đổi vào tệp {file}',
    en: (v) => `Wrote ${v.n} ${Number(v.raw) === 1 ? 'change' : 'changes'} to ${v.file}`,
  },
  'usb.imported': {
    vi: 'Đã nhận {n} thay đổi',
    en: (v) => `Received ${v.n} ${Number(v.raw) === 1 ? 'change' : 'changes'}`,
  },
  'usb.already': {
    vi: 'Tệp này đã được nhập trước đó — không có gì mới',
    en: 'This file was imported before — nothing new',
  },

  // Duplicate voters across communes
  'report.print_candidates': { vi: 'In danh sách người ứng cử', en: 'Print the candidate list' },
  'report.open_records': { vi: 'Mở các hồ sơ của số liệu này', en: 'Open the records behind this figure' },
  'nav.progress': { vi: 'Tiến độ các đơn vị', en: 'Progress of units' },
  'pg.title': { vi: 'Tiến độ các đơn vị', en: 'Progress of the units' },
  'pg.kicker': { vi: 'Tiến độ theo mốc luật định', en: 'Progress against the legal timeline' },
  'pg.trail': { vi: 'Cấp đơn vị', en: 'Unit levels' },
  'pg.today': { vi: 'Tính đến ngày {date}', en: 'As of {date}' },
  'pg.no_units': { vi: 'Đơn vị này không có đơn vị cấp dưới', en: 'This unit has no units below it' },
  'pg.milestone': { vi: 'Mốc công việc', en: 'Milestone' },
  'pg.due': { vi: 'Hạn', en: 'Due' },
  'pg.done': { vi: 'Đã xong', en: 'Done' },
  'pg.late': { vi: 'Chậm, quá hạn', en: 'Late or overdue' },
  'pg.more_late': { vi: 'và {n} đơn vị khác', en: 'and {n} more' },
  'pg.late_chip': { vi: '{name} · {n} ngày', en: (v) => `${v.name} · ${days(v.n)}` },
  'pg.units_title': { vi: 'Từng đơn vị', en: 'Each unit' },
  'pg.unit': { vi: 'Đơn vị', en: 'Unit' },
  'pg.unit_done': { vi: 'Mốc đã xong', en: 'Milestones done' },
  'pg.last_sync': { vi: 'Đồng bộ lần cuối', en: 'Last sync' },
  'pg.never_synced': { vi: 'Chưa đồng bộ', en: 'Never synced' },
  'pg.synced_today': { vi: 'Hôm nay', en: 'Today' },
  'pg.synced_days_ago': { vi: '{n} ngày trước', en: '{n} days ago' },
  'pg.never_below': { vi: '{n} xã chưa đồng bộ', en: '{n} communes never synced' },
  'pg.overdue_n': { vi: '{n} mốc quá hạn, chậm {days} ngày', en: '{n} overdue, {days} days late' },
  'pg.legend_done': { vi: 'Đúng hạn', en: 'On time' },
  'pg.legend_done_late': { vi: 'Xong chậm', en: 'Done late' },
  'pg.legend_overdue': { vi: 'Quá hạn', en: 'Overdue' },
  'pg.legend_due_soon': { vi: 'Sắp đến hạn', en: 'Due soon' },
  'pg.legend_upcoming': { vi: 'Chưa đến hạn', en: 'Not yet due' },
  'pg.not_applicable': { vi: 'Không áp dụng', en: 'Not applicable' },
  'pg.no_data': { vi: 'Chưa đồng bộ', en: 'Not synced' },
  'pg.no_data_long': { vi: 'Chưa đồng bộ — chưa có số liệu', en: 'Never synced — no data' },
  'pg.no_data_count': { vi: '{n} chưa đồng bộ', en: '{n} not synced (no data)' },
  'pg.legend_no_data': { vi: 'Chưa đồng bộ (chưa có số liệu)', en: 'Never synced (no data)' },
  'pg.unit_timeline': { vi: 'Các mốc thời gian của đơn vị', en: "The unit's timeline" },
  'pg.unit_records': { vi: 'Hồ sơ của đơn vị trong sổ tổng hợp', en: "The unit's records in the merged ledger" },
  'nav.duplicates': { vi: 'Cử tri trùng giữa các xã', en: 'Duplicate voters' },
  'dup.title': { vi: 'Cử tri có tên ở nhiều xã', en: 'Voters listed in several communes' },
  'dup.lead': {
    vi: 'Các cặp cử tri có cùng số định danh, hoặc cùng họ tên (không dấu) và ngày sinh, ở hai xã khác nhau. Quyết định được đồng bộ về các xã.',
    en: 'Pairs of voters with the same ID number, or the same name (marks ignored) and date of birth, in two communes. Decisions sync to the communes.',
  },
  'dup.count': {
    vi: '{n} cặp cần xem xét',
    en: (v) => `${v.n} ${Number(v.n) === 1 ? 'pair' : 'pairs'} to review`,
  },
  'dup.none': { vi: 'Không có cử tri trùng giữa các xã', en: 'No voter is listed in two communes' },
  'dup.more': {
    vi: 'Đang hiện {shown} cặp chắc chắn nhất trong {n} cặp.',
    en: 'Showing the {shown} surest of {n} pairs.',
  },
  'dup.show_all': { vi: 'Hiện cả các cặp đã xử lý', en: 'Show decided pairs too' },
  'dup.rule_id': { vi: 'Trùng số định danh', en: 'Same ID number' },
  'dup.rule_name': { vi: 'Trùng họ tên và ngày sinh', en: 'Same name and date of birth' },
  'dup.score': { vi: 'Mức trùng {score}/100', en: 'Match {score}/100' },
  'dup.birth': { vi: 'Ngày sinh', en: 'Born' },
  'dup.sex': { vi: 'Giới tính', en: 'Sex' },
  'dup.male': { vi: 'Nam', en: 'Male' },
  'dup.female': { vi: 'Nữ', en: 'Female' },
  'dup.residence': { vi: 'Nơi cư trú', en: 'Residence' },
  'dup.area': { vi: 'Khu vực bỏ phiếu', en: 'Polling area' },
  'dup.id_number': { vi: 'Số định danh', en: 'ID number' },
  'dup.status': { vi: 'Tình trạng', en: 'Status' },
  'dup.removed': { vi: 'Đã xóa tên', en: 'Removed' },
  'dup.reason': { vi: 'Lý do', en: 'Reason' },
  'dup.reason_placeholder': { vi: 'Bắt buộc khi xóa tên', en: 'Required to remove' },
  'dup.reason_required': { vi: 'Hãy ghi lý do xóa tên.', en: 'Give the reason for the removal.' },
  'dup.keep_both': { vi: 'Giữ cả hai', en: 'Keep both' },
  'dup.remove_from': { vi: 'Xóa khỏi danh sách {unit}', en: 'Remove from the list of {unit}' },
  'dup.confirm_title': { vi: 'Xóa tên cử tri?', en: 'Remove the voter?' },
  'dup.confirm_remove': {
    vi: 'Xóa tên {name} khỏi danh sách cử tri của {unit}. Thay đổi được ghi lại kèm lý do và đồng bộ về xã.',
    en: 'Remove {name} from the voter list of {unit}. The change is kept with its reason and syncs to the commune.',
  },
  'dup.confirm_ok': { vi: 'Xóa tên', en: 'Remove' },
  'dup.decided': { vi: 'Đã ghi quyết định', en: 'Decision recorded' },
  'dup.decided_keep': { vi: 'Ngày {on}: giữ cả hai. {reason}', en: '{on}: both kept. {reason}' },
  'dup.decided_removed': {
    vi: 'Ngày {on}: đã xóa tên khỏi danh sách {unit}. {reason}',
    en: '{on}: removed from the list of {unit}. {reason}',
  },

  // Sync: conflicts
  'conflict.heading': { vi: 'Xung đột cần xem xét', en: 'Conflicts to review' },
  'conflict.intro': {
    vi: 'Cùng một ô được sửa ở hai nơi trước khi kịp đồng bộ. Sổ đang giữ giá trị sửa sau cùng; hãy xem và chọn giá trị đúng.',
    en: 'The same field was changed in two places before they synced. The ledger keeps the latest change; review it and choose the right value.',
  },
  'conflict.none': { vi: 'Không có xung đột', en: 'No conflicts' },
  'conflict.winner': { vi: 'Đang giữ', en: 'Kept' },
  'conflict.loser': { vi: 'Giá trị khác', en: 'Other value' },
  'conflict.keep_winner': { vi: 'Giữ giá trị này', en: 'Keep this value' },
  'conflict.keep_loser': { vi: 'Dùng giá trị này', en: 'Use this value' },
  'conflict.empty_value': { vi: '(để trống)', en: '(empty)' },
  'conflict.this_machine': { vi: 'máy này', en: 'this computer' },
  'conflict.the_hub': { vi: 'máy chủ cấp trên', en: 'hub above' },
  'conflict.by_at': { vi: '{who} · {when}', en: '{who} · {when}' },
  'conflict.resolved': { vi: 'Đã chọn giá trị', en: 'Value chosen' },
  'conflict.field': { vi: 'Trường: {field}', en: 'Field: {field}' },
  'conflict.history': { vi: 'Xung đột đã giải quyết', en: 'Settled conflicts' },
  'conflict.history_intro': {
    vi: 'Giá trị đã chọn được gửi tới mọi máy. Nếu chọn nhầm, hãy chọn lại giá trị khác: đó là một thay đổi mới, mọi máy sẽ thống nhất theo.',
    en: 'The chosen value goes to every computer. If it was the wrong one, choose another: that is one more change, and every computer follows it.',
  },
  'conflict.chosen': { vi: 'Đã chọn “{value}” — {who}, {when}', en: 'Chose “{value}” — {who}, {when}' },
  'conflict.now': { vi: 'Giá trị hiện nay: {value}', en: 'Value now: {value}' },
  'conflict.settle_again': { vi: 'Chọn lại giá trị này', en: 'Choose this value instead' },
  'conflict.confirm_title': { vi: 'Xác nhận chọn giá trị', en: 'Confirm the value' },
  'conflict.confirm': {
    vi: 'Chọn “{value}” cho {field} của {title}? Giá trị này sẽ được gửi tới mọi máy.',
    en: 'Choose “{value}” for {field} of {title}? This value will go to every computer.',
  },
  'conflict.confirm_again': {
    vi: 'Chọn lại “{value}” cho {field} của {title}? Đây là một thay đổi mới, mọi máy sẽ theo.',
    en: 'Choose “{value}” for {field} of {title} instead? This is one more change; every computer follows it.',
  },
  'conflict.confirm_ok': { vi: 'Chọn giá trị này', en: 'Choose this value' },
  'conflict.unknown_writer': { vi: 'máy khác', en: 'another computer' },

  // Dashboard
  'dash.title': { vi: 'Tổng quan', en: 'Overview' },
  'dash.election_day': { vi: 'Ngày bầu cử: {date}', en: 'Election day: {date}' },
  'dash.days_left': { vi: 'còn {n} ngày', en: (v) => `${days(v.n)} to go` },
  'dash.today_is_election': { vi: 'hôm nay là ngày bầu cử', en: 'election day is today' },
  'dash.days_after': { vi: 'đã qua {n} ngày', en: (v) => `${days(v.n)} ago` },
  'dash.today': { vi: 'Hôm nay {date}', en: 'Today {date}' },
  'dash.records': { vi: 'Hồ sơ', en: 'Records' },
  'dash.timeline': { vi: 'Các mốc thời gian', en: 'Timeline' },
  'dash.open_list': { vi: 'Mở danh sách {kind}', en: 'Open the {kind} list' },

  // Timeline
  'status.done': { vi: 'Đã xong', en: 'Done' },
  'status.done_late': { vi: 'Xong muộn {n} ngày', en: (v) => `Done ${days(v.n)} late` },
  'status.overdue': { vi: 'Quá hạn {n} ngày', en: (v) => `Overdue by ${days(v.n)}` },
  'status.due_soon': { vi: 'Còn {n} ngày', en: (v) => `${days(v.n)} left` },
  'status.upcoming': { vi: 'Sắp tới', en: 'Upcoming' },
  'status.passed': { vi: 'Đã qua', en: 'Passed' },
  'status.no_data': { vi: 'Chưa đồng bộ', en: 'No data' },
  'tl.due': { vi: 'Hạn {date}', en: 'Due {date}' },
  'tl.done_on': { vi: 'xong ngày {date}', en: 'done on {date}' },
  'tl.art': { vi: 'Điều {art}', en: 'Art. {art}' },
  'tl.open_record': { vi: 'Xem hồ sơ', en: 'Open record' },
  'tl.add': { vi: 'Thêm: {kind}…', en: 'Add: {kind}…' },
  'tl.open_list': { vi: 'Mở danh sách: {kind}', en: 'Open the list: {kind}' },
  'tl.today_marker': { vi: 'Hôm nay, {date}', en: 'Today, {date}' },
  'tl.empty': { vi: 'Chưa có mốc thời gian nào.', en: 'No milestones.' },

  // Lists
  'list.search_ph': { vi: 'Tìm kiếm… (có dấu hay không dấu)', en: 'Search… (diacritics optional)' },
  'list.search_label': { vi: 'Tìm trong {kind}', en: 'Search {kind}' },
  'list.new': { vi: 'Thêm mới', en: 'Add new' },
  'list.print': { vi: 'In', en: 'Print' },
  'list.filtered': { vi: 'Đang lọc: {what}', en: 'Filtered: {what}' },
  'list.filter_clear': { vi: 'Bỏ lọc', en: 'Clear the filter' },
  'list.count': { vi: '{n} bản ghi', en: (v) => `${v.n} ${v.raw === 1 ? 'record' : 'records'}` },
  'list.range': { vi: 'Hiển thị {from}–{to}', en: 'Showing {from}–{to}' },
  'list.prev': { vi: '‹ Trang trước', en: '‹ Previous' },
  'list.next': { vi: 'Trang sau ›', en: 'Next ›' },
  'list.empty': { vi: 'Chưa có bản ghi nào. Bấm “Thêm mới” (phím N) để nhập.', en: 'No records yet. Press “Add new” (key N) to enter one.' },
  'list.empty_search': { vi: 'Không có bản ghi nào khớp với “{q}”.', en: 'No records match “{q}”.' },
  'list.keys_hint': { vi: 'Phím tắt: N thêm mới · / tìm · ↑↓ chọn dòng · Enter mở', en: 'Keys: N add new · / search · ↑↓ move · Enter open' },
  'list.title_column': { vi: 'Tên', en: 'Name' },
  'list.unit_column': { vi: 'Đơn vị', en: 'Unit' },
  'list.unit_label': { vi: 'Lọc theo đơn vị', en: 'Filter by unit' },
  'list.unit_all': { vi: 'Mọi đơn vị', en: 'All units' },

  // Import from a file (#import-view)
  'list.import': { vi: 'Nhập từ tệp', en: 'Import a file' },
  'import.title': { vi: 'Nhập từ tệp Excel, CSV', en: 'Import from Excel or CSV' },
  'import.intro': {
    vi: 'Chọn tệp (.xlsx, .csv hoặc .jsonl) có dòng tiêu đề theo mẫu (ví dụ Mẫu 33 danh sách cử tri). Sổ kiểm tra mọi dòng và cho xem trước; chưa ghi gì cho đến khi bấm “Nhập”.',
    en: 'Choose a file (.xlsx, .csv or .jsonl) with a header row as in the official forms (e.g. the Mẫu 33 voter list). Every row is checked and previewed; nothing is written until you press “Import”.',
  },
  'import.kind': { vi: 'Loại hồ sơ', en: 'Kind of record' },
  'import.choose': { vi: 'Chọn tệp…', en: 'Choose a file…' },
  'import.file': { vi: 'Tệp: {path}', en: 'File: {path}' },
  'import.defaults': { vi: 'Giá trị dùng cho các dòng thiếu', en: 'Values for rows that lack them' },
  'import.default_area': { vi: 'Khu vực bỏ phiếu', en: 'Polling area' },
  'import.default_none': { vi: '— theo tệp —', en: '— as in the file —' },
  'import.default_ballots': { vi: 'Bầu cử', en: 'Ballots' },
  'import.checking': { vi: 'Đang kiểm tra tệp…', en: 'Checking the file…' },
  'import.importing': { vi: 'Đang nhập…', en: 'Importing…' },
  'import.would_add': {
    vi: 'Sẽ thêm {n} bản ghi.',
    en: (v) => `${v.n} ${v.raw === 1 ? 'record' : 'records'} would be added.`,
  },
  'import.problems': {
    vi: '{n} lỗi cần sửa',
    en: (v) => `${v.n} ${v.raw === 1 ? 'problem' : 'problems'} to correct`,
  },
  'import.fix_first': {
    vi: 'Sửa các dòng trên trong tệp rồi bấm “Kiểm tra lại”: tệp còn lỗi thì không nhập dòng nào.',
    en: 'Correct these rows in the file, then press “Check again”: nothing is imported from a file with problems.',
  },
  'import.line': { vi: 'Dòng', en: 'Line' },
  'import.person': { vi: 'Họ và tên', en: 'Name' },
  'import.template': { vi: 'Tải mẫu', en: 'Blank template' },
  'import.view_list': { vi: 'Xem danh sách', en: 'See the list' },
  'import.template_saved': { vi: 'Đã lưu mẫu: {path}', en: 'Template saved: {path}' },
  'import.skip_line': { vi: 'Bỏ dòng này', en: 'Leave this row out' },
  'import.skipped': { vi: 'Đã bỏ các dòng: {lines}.', en: 'Rows left out: {lines}.' },
  'import.unskip': { vi: 'Lấy lại', en: 'Put back' },
  'import.all_rows': { vi: 'Cả {n} dòng', en: 'All {n} rows' },
  'import.column': { vi: 'Cột', en: 'Column' },
  'import.reason': { vi: 'Lý do', en: 'Reason' },
  'import.duplicates': {
    vi: '{n} dòng có thể trùng người (trong tệp này hoặc với danh sách đã có)',
    en: (v) => `${v.n} ${v.raw === 1 ? 'row' : 'rows'} that may be someone listed twice (in this file or already listed)`,
  },
  'import.matches': { vi: 'Trùng với', en: 'Same as' },
  'import.match_line': { vi: 'dòng {line} của tệp', en: 'line {line} of the file' },
  'import.match_record': { vi: 'cử tri đã có trong danh sách ({id})', en: 'a voter already listed ({id})' },
  'import.rule': { vi: 'Căn cứ', en: 'Because' },
  'import.rule_name_birth': { vi: 'cùng họ tên và ngày sinh', en: 'same name and date of birth' },
  'import.rule_id_number': { vi: 'cùng số định danh', en: 'same ID number' },
  'import.run': { vi: 'Nhập', en: 'Import' },
  'import.recheck': { vi: 'Kiểm tra lại', en: 'Check again' },
  'import.cancel': { vi: 'Hủy', en: 'Cancel' },
  'import.done': {
    vi: 'Đã nhập {n} bản ghi (lần nhập số {id}).',
    en: (v) => `Imported ${v.n} ${v.raw === 1 ? 'record' : 'records'} (import number ${v.id}).`,
  },
  'import.done_short': { vi: 'Đã nhập', en: 'Imported' },
  'import.update': { vi: 'Đây là bản mới của danh sách đã có: chỉ ghi những chỗ thay đổi', en: 'This is a new version of a list already held: write only what changed' },
  'import.unknown': { vi: (v) => `${v.n} cột chưa biết`, en: (v) => `${v.n} unknown column${v.raw === 1 ? '' : 's'}` },
  'import.unknown_hint': { vi: 'Chọn trường tương ứng cho mỗi cột, hoặc bỏ qua cột đó.', en: 'Choose the field each column holds, or leave it out.' },
  'import.column_number': { vi: 'Cột số', en: 'Column' },
  'import.map_field': { vi: 'Ghi vào trường', en: 'Goes to field' },
  'import.map_to': { vi: 'Trường cho cột {header}', en: 'Field for column {header}' },
  'import.map_choose': { vi: '— Chọn —', en: '— Choose —' },
  'import.map_skip': { vi: 'Bỏ qua cột này', en: 'Leave this column out' },
  'import.map_suggested': { vi: 'Gợi ý', en: 'Suggested' },
  'import.map_all': { vi: 'Các trường khác', en: 'Other fields' },
  'import.update_counts': { vi: 'Thêm mới {added} · thay đổi {changed} · không đổi {unchanged} · không còn trong tệp {missing}', en: 'Added {added} · changed {changed} · unchanged {unchanged} · not in the file {missing}' },
  'import.changed': { vi: (v) => `${v.n} bản ghi thay đổi`, en: (v) => `${v.n} changed record${v.raw === 1 ? '' : 's'}` },
  'import.field': { vi: 'Trường', en: 'Field' },
  'import.old': { vi: 'Giá trị cũ', en: 'Was' },
  'import.new': { vi: 'Giá trị mới', en: 'Becomes' },
  'import.missing': { vi: (v) => `${v.n} bản ghi không còn trong tệp (chỉ liệt kê, không xóa)`, en: (v) => `${v.n} record${v.raw === 1 ? '' : 's'} no longer in the file (listed, not removed)` },
  'import.remove_missing': { vi: 'Xóa các bản ghi này khỏi danh sách', en: 'Remove these records from the list' },
  'import.remove_reason': { vi: 'Lý do xóa (bắt buộc)', en: 'Reason for removing (required)' },
  'import.update_done': { vi: 'Đã cập nhật: thêm {added}, thay đổi {changed}, xóa {removed} (lần nhập số {id}).', en: 'Updated: {added} added, {changed} changed, {removed} removed (import no. {id}).' },
  'import.history': { vi: 'Các lần nhập', en: 'Past imports' },
  'import.history_empty': { vi: 'Chưa nhập tệp nào.', en: 'No file imported yet.' },
  'import.number': { vi: 'Số', en: 'No.' },
  'import.at': { vi: 'Lúc', en: 'At' },
  'import.files': { vi: 'Tệp', en: 'Files' },
  'import.records': { vi: 'Bản ghi', en: 'Records' },
  'import.undo': { vi: 'Hoàn tác', en: 'Undo' },
  'import.undo_title': { vi: 'Hoàn tác lần nhập số {id}?', en: 'Undo import number {id}?' },
  'import.undo_message': {
    vi: 'Xóa {n} bản ghi của lần nhập này (trừ những bản ghi đã bị xóa trước đó). Việc xóa được đồng bộ như mọi thay đổi.',
    en: (v) => `Deletes the ${v.n} ${v.raw === 1 ? 'record' : 'records'} of this import (those not already deleted). The deletion syncs like any change.`,
  },
  'import.undone': {
    vi: 'Đã hoàn tác: xóa {n} bản ghi',
    en: (v) => `Undone: ${v.n} ${v.raw === 1 ? 'record' : 'records'} deleted`,
  },
  'import.undone_at': { vi: 'Đã hoàn tác {at}', en: 'Undone {at}' },

  // Values
  'value.yes': { vi: 'Có', en: 'Yes' },
  'value.no': { vi: 'Không', en: 'No' },

  // Form
  'form.add': { vi: 'Thêm {kind}', en: 'New {kind}' },
  'form.edit': { vi: 'Sửa {kind}', en: 'Edit {kind}' },
  // Used when the schema gives no singular label for the kind (English only: "Voters: new record").
  'form.add_plural': { vi: 'Thêm {kind}', en: '{kind}: new record' },
  'form.edit_plural': { vi: 'Sửa {kind}', en: '{kind}: edit record' },
  'form.save': { vi: 'Lưu', en: 'Save' },
  'form.saving': { vi: 'Đang lưu…', en: 'Saving…' },
  'form.cancel': { vi: 'Hủy', en: 'Cancel' },
  'form.delete': { vi: 'Xóa', en: 'Delete' },
  'form.required': { vi: 'Bắt buộc', en: 'Required' },
  'form.required_legend': { vi: 'Dấu * là thông tin bắt buộc.', en: '* marks a required field.' },
  'form.keys_hint': { vi: 'Ctrl+S lưu · Esc hủy', en: 'Ctrl+S save · Esc cancel' },
  'form.invalid_date': { vi: 'Ngày chưa đúng, hãy nhập dd/mm/yyyy.', en: 'Not a valid date; type dd/mm/yyyy.' },
  'form.invalid_partial_date': {
    vi: 'Ngày chưa đúng, hãy nhập yyyy, mm/yyyy hoặc dd/mm/yyyy.',
    en: 'Not a valid date; type yyyy, mm/yyyy or dd/mm/yyyy.',
  },
  'form.invalid_int': { vi: 'Phải là một số nguyên.', en: 'Must be a whole number.' },
  'form.too_small': { vi: 'Không được nhỏ hơn {n}.', en: 'Must be at least {n}.' },
  'form.too_large': { vi: 'Không được lớn hơn {n}.', en: 'Must be at most {n}.' },
  'form.date_ph': { vi: 'dd/mm/yyyy', en: 'dd/mm/yyyy' },
  'form.partial_date_ph': { vi: 'yyyy, mm/yyyy hoặc dd/mm/yyyy', en: 'yyyy, mm/yyyy or dd/mm/yyyy' },
  'form.none': { vi: '— Không chọn —', en: '— None —' },
  'form.computed': { vi: 'Tự tính', en: 'Computed' },
  'form.computed_on_save': { vi: 'Tự tính khi lưu', en: 'Computed on save' },
  'form.errors_summary': {
    vi: 'Chưa lưu được. Hãy sửa các chỗ sau:',
    en: 'Not saved. Please fix the following:',
  },
  'form.not_saved': { vi: 'Chưa lưu được.', en: 'Not saved.' },
  'form.saved': { vi: 'Đã lưu', en: 'Saved' },
  'form.deleted': { vi: 'Đã xóa', en: 'Deleted' },
  'form.confirm_delete_title': { vi: 'Xóa bản ghi?', en: 'Delete this record?' },
  'form.confirm_delete': {
    vi: 'Xóa “{title}”? Việc này không hoàn tác được.',
    en: 'Delete “{title}”? This cannot be undone.',
  },
  'form.updated': { vi: 'Sửa lần cuối {date}', en: 'Last changed {date}' },
  'form.updated_by': { vi: 'Sửa lần cuối {date} bởi {who}', en: 'Last changed {date} by {who}' },
  'form.ref_more': { vi: '(chỉ hiện {n} bản ghi đầu)', en: '(only the first {n} records shown)' },

  // Confirmation dialog
  'confirm.ok': { vi: 'Xóa', en: 'Delete' },
  'confirm.cancel': { vi: 'Thôi', en: 'Cancel' },

  // Report
  'report.title': { vi: 'Báo cáo', en: 'Report' },
  'report.print': { vi: 'In báo cáo', en: 'Print' },
  'report.export_xlsx': { vi: 'Xuất Excel', en: 'Export Excel' },
  'report.export_pdf': { vi: 'Xuất PDF', en: 'Export PDF' },
  'export.working': { vi: 'Đang tạo tệp…', en: 'Making the file…' },
  'export.saved': { vi: 'Đã lưu tệp {file}', en: 'Saved {file}' },
  'print.voter_list': { vi: 'In danh sách cử tri (Mẫu 33)', en: 'Print the voter list (form 33)' },
  'report.empty': { vi: 'Chưa có số liệu.', en: 'No figures yet.' },
  'report.item': { vi: 'Mục', en: 'Item' },
  'report.value': { vi: 'Số liệu', en: 'Figure' },
  'report.none': { vi: '—', en: '—' },
  'report.sum': { vi: 'Cộng', en: 'Total' },
  'report.count': { vi: 'Số lượng', en: 'Number' },
  'report.board_of': { vi: 'Ban bầu cử đại biểu {level}', en: 'Election boards: {level}' },
  'report.sec_electoral_units': { vi: 'Đơn vị bầu cử và số đại biểu được bầu', en: 'Electoral units and seats' },
  'report.ballot_level': { vi: 'Cấp bầu cử', en: 'Level' },
  'report.eu_units': { vi: 'Số đơn vị bầu cử', en: 'Electoral units' },
  'report.eu_seats': { vi: 'Số đại biểu được bầu', en: 'Seats' },
  'report.deputies_of': { vi: 'Đại biểu {level}', en: '{level}' },
  'report.sec_areas': { vi: 'Khu vực bỏ phiếu', en: 'Polling areas' },
  'report.areas_total': { vi: 'Tổng số khu vực bỏ phiếu', en: 'Polling areas' },
  'report.voters_total': { vi: 'Tổng số cử tri trong danh sách', en: 'Voters on the lists' },
  'report.voters_male': { vi: 'Cử tri nam', en: 'Male voters' },
  'report.voters_female': { vi: 'Cử tri nữ', en: 'Female voters' },
  'report.voters_of': { vi: 'Cử tri bầu đại biểu {level}', en: 'Voters for the {level}' },
  'report.voters_elsewhere': { vi: 'Cử tri đi bỏ phiếu nơi khác (có giấy chứng nhận)', en: 'Voters voting elsewhere (with a certificate)' },
  'report.voters_removed': { vi: 'Cử tri đã xóa tên khỏi danh sách', en: 'Voters taken off the lists' },
  'report.complaints_received': { vi: 'Đã tiếp nhận', en: 'Received' },
  'report.complaints_resolved': { vi: 'Đã giải quyết', en: 'Answered' },
  'report.complaints_transferred': { vi: 'Đã chuyển cơ quan có thẩm quyền', en: 'Passed to the competent body' },
  'report.complaints_open': { vi: 'Khiếu nại đang giải quyết', en: 'Complaints open' },
  'report.complaints_overdue': { vi: 'Quá hạn giải quyết', en: 'Past their deadline' },
  'report.propaganda': { vi: 'Hoạt động tuyên truyền', en: 'Information activities' },
  'report.supervision': { vi: 'Cuộc giám sát, kiểm tra', en: 'Supervision visits' },
  'report.fig_total': { vi: 'Tổng số người ứng cử', en: 'Candidates' },
  'report.fig_nominated': { vi: 'Được giới thiệu', en: 'Nominated' },
  'report.fig_self_nominated': { vi: 'Tự ứng cử', en: 'Self-nominated' },
  'report.fig_women': { vi: 'Nữ', en: 'Women' },
  'report.fig_ethnic_minority': { vi: 'Dân tộc thiểu số', en: 'Ethnic minorities' },
  'report.fig_under_40': { vi: 'Dưới 40 tuổi', en: 'Under 40' },
  'report.fig_incumbent': { vi: 'Tái cử', en: 'Standing again' },
  'report.fig_official': { vi: 'Trong danh sách chính thức', en: 'On the official list' },
  'report.fig_areas': { vi: 'Số khu dân cư (thôn, bản, tổ dân phố) đã tổ chức', en: 'Residential areas that held one' },
  'report.fig_communes': { vi: 'Số xã', en: 'Communes' },
  'report.fig_districts': { vi: 'Số huyện', en: 'Districts' },
  'report.fig_conferences': { vi: 'Số hội nghị', en: 'Conferences' },
  'report.fig_convened': { vi: 'Cử tri được triệu tập', en: 'Voters convened' },
  'report.fig_present': { vi: 'Cử tri có mặt', en: 'Voters present' },
  'report.fig_confidence_for': { vi: 'Phiếu tín nhiệm', en: 'Votes of confidence' },
  'report.fig_confidence_against': { vi: 'Phiếu không tín nhiệm', en: 'Votes against' },
  'report.sec_conferences': { vi: 'Hội nghị cử tri nơi cư trú, theo cấp ứng cử', en: 'Voter conferences where candidates live, by level' },
  'report.conference': { vi: 'Hội nghị', en: 'Conference' },
  'report.result': { vi: 'Kết quả', en: 'Result' },
  'report.consult_summary_districts': { vi: '{dd}/{dt} huyện, {cd}/{ct} xã', en: '{dd}/{dt} districts, {cd}/{ct} communes' },
  'report.consult_summary': { vi: '{cd}/{ct} xã', en: '{cd}/{ct} communes' },
  'report.sec_timeline': { vi: 'Tiến độ theo các mốc thời gian luật định', en: 'Progress against the legal timeline' },
  'report.sec_progress': { vi: 'Tiến độ của các đơn vị cấp dưới', en: 'Progress of the units below' },
  'report.sec_units': { vi: 'Số liệu của từng đơn vị cấp dưới', en: 'Each unit below' },
  'report.milestone': { vi: 'Mốc công việc', en: 'Milestone' },
  'report.due': { vi: 'Hạn', en: 'Due' },
  'report.districts_done': { vi: 'Huyện đã xong', en: 'Districts done' },
  'report.communes_done': { vi: 'Xã đã xong', en: 'Communes done' },
  'report.late_units': { vi: 'Đơn vị chậm (số ngày)', en: 'Late units (days)' },
  'report.late_overdue': { vi: 'quá hạn {n} ngày', en: (v) => `overdue ${days(v.n)}` },
  'report.late_done': { vi: 'xong muộn {n} ngày', en: (v) => `done ${days(v.n)} late` },
  'report.unit': { vi: 'Đơn vị', en: 'Unit' },
  'report.milestones_done': { vi: 'Mốc đã xong / đến hạn', en: 'Milestones done / due' },
  'report.milestones_overdue': { vi: 'Mốc quá hạn', en: 'Milestones overdue' },
  'report.sec_organisation': { vi: 'Tổ chức phụ trách bầu cử', en: 'Election bodies' },
  'report.sec_areas_voters': { vi: 'Khu vực bỏ phiếu và cử tri', en: 'Polling areas and voters' },
  'report.sec_candidates': { vi: 'Người ứng cử theo cấp', en: 'Candidates by level' },
  'report.sec_other': { vi: 'Tình hình khác', en: 'Other activity' },
  'report.boards_by_level': { vi: 'Ban bầu cử theo cấp', en: 'Election boards by level' },
  'report.level': { vi: 'Cấp', en: 'Level' },
  'report.done_of': { vi: '{done}/{total}', en: '{done}/{total}' },
  'report.consult_districts': { vi: 'Huyện đã tổ chức', en: 'Districts held' },
  'report.consult_communes': { vi: 'Xã đã tổ chức', en: 'Communes held' },
  'status.done_late_plain': { vi: 'Xong muộn', en: 'Done late' },
};

/**
 * Labels for the keys of the report object (`sobaucu report --json`). Keys not listed fall back
 * to the schema's kinds, fields and option values, then to the key itself made readable.
 */
const REPORT_KEYS = {
  node: { vi: 'Sổ', en: 'Ledger' },
  unit: { vi: 'Đơn vị', en: 'Unit' },
  unit_name: { vi: 'Đơn vị', en: 'Unit' },
  name: { vi: 'Tên', en: 'Name' },
  title: { vi: 'Tên', en: 'Name' },
  path: { vi: 'Địa bàn', en: 'Place' },
  code: { vi: 'Mã', en: 'Code' },
  scheme: { vi: 'Danh mục đơn vị', en: 'Unit scheme' },
  law: { vi: 'Luật áp dụng', en: 'Law version' },
  election_date: { vi: 'Ngày bầu cử', en: 'Election day' },
  generated_at: { vi: 'Lập lúc', en: 'Generated' },
  generated_on: { vi: 'Lập ngày', en: 'Generated on' },
  today: { vi: 'Ngày lập', en: 'Date' },
  days_to_election: { vi: 'Số ngày đến ngày bầu cử', en: 'Days to election day' },
  committees: { vi: 'Ủy ban bầu cử', en: 'Election committees' },
  committee: { vi: 'Ủy ban bầu cử', en: 'Election committee' },
  boards: { vi: 'Ban bầu cử', en: 'Election boards' },
  teams: { vi: 'Tổ bầu cử', en: 'Election teams' },
  bodies: { vi: 'Tổ chức phụ trách bầu cử', en: 'Election bodies' },
  members: { vi: 'Thành viên', en: 'Members' },
  electoral_units: { vi: 'Đơn vị bầu cử', en: 'Electoral units' },
  seats: { vi: 'Số đại biểu được bầu', en: 'Seats' },
  units: { vi: 'Số đơn vị', en: 'Units' },
  polling_areas: { vi: 'Khu vực bỏ phiếu', en: 'Polling areas' },
  separate: { vi: 'Khu vực bỏ phiếu riêng', en: 'Separate polling areas' },
  polling_areas_separate: { vi: 'Trong đó: khu vực bỏ phiếu riêng', en: 'Of which separate (armed units, hospitals, detention)' },
  voters_by_sex: { vi: 'Cử tri theo giới tính', en: 'Voters by sex' },
  voters_by_level: { vi: 'Cử tri theo cấp bầu cử', en: 'Voters by ballot' },
  incumbent: { vi: 'Tái cử', en: 'Re-election' },
  official: { vi: 'Trong danh sách chính thức', en: 'On the official list' },
  round1: { vi: 'Hiệp thương lần thứ nhất', en: 'First consultation' },
  round2: { vi: 'Hiệp thương lần thứ hai', en: 'Second consultation' },
  round3: { vi: 'Hiệp thương lần thứ ba', en: 'Third consultation' },
  districts_done: { vi: 'Huyện đã tổ chức', en: 'Districts held' },
  districts_total: { vi: 'Tổng số huyện', en: 'Districts in all' },
  communes_done: { vi: 'Xã đã tổ chức', en: 'Communes held' },
  communes_total: { vi: 'Tổng số xã', en: 'Communes in all' },
  areas: { vi: 'Khu dân cư', en: 'Residential areas' },
  communes: { vi: 'Xã', en: 'Communes' },
  districts: { vi: 'Huyện', en: 'Districts' },
  conferences: { vi: 'Số hội nghị', en: 'Conferences' },
  confidence_for: { vi: 'Tín nhiệm', en: 'Confidence: for' },
  confidence_against: { vi: 'Không tín nhiệm', en: 'Confidence: against' },
  open: { vi: 'Đang giải quyết', en: 'Open' },
  overdue: { vi: 'Quá hạn giải quyết', en: 'Overdue' },
  voters: { vi: 'Cử tri', en: 'Voters' },
  candidates: { vi: 'Người ứng cử', en: 'Candidates' },
  nominated: { vi: 'Được giới thiệu', en: 'Nominated' },
  self_nominated: { vi: 'Tự ứng cử', en: 'Self-nominated' },
  women: { vi: 'Nữ', en: 'Women' },
  female: { vi: 'Nữ', en: 'Female' },
  male: { vi: 'Nam', en: 'Male' },
  ethnic_minority: { vi: 'Dân tộc thiểu số', en: 'Ethnic minority' },
  under_40: { vi: 'Dưới 40 tuổi', en: 'Under 40' },
  reelected: { vi: 'Tái cử', en: 'Re-elected' },
  re_elected: { vi: 'Tái cử', en: 'Re-elected' },
  consultations: { vi: 'Hội nghị hiệp thương', en: 'Consultative conferences' },
  consultative_conferences: { vi: 'Hội nghị hiệp thương', en: 'Consultative conferences' },
  voter_conferences: { vi: 'Hội nghị cử tri', en: 'Voter conferences' },
  residential_areas: { vi: 'Khu dân cư', en: 'Residential areas' },
  complaints: { vi: 'Khiếu nại, tố cáo', en: 'Complaints and denunciations' },
  received: { vi: 'Đã nhận', en: 'Received' },
  resolved: { vi: 'Đã giải quyết', en: 'Resolved' },
  transferred: { vi: 'Đã chuyển', en: 'Transferred' },
  pending: { vi: 'Đang giải quyết', en: 'Pending' },
  incidents: { vi: 'Vụ việc an ninh trật tự', en: 'Security incidents' },
  security_incidents: { vi: 'Vụ việc an ninh trật tự', en: 'Security incidents' },
  propaganda: { vi: 'Tuyên truyền', en: 'Propaganda' },
  supervision: { vi: 'Giám sát', en: 'Supervision' },
  supervisions: { vi: 'Giám sát', en: 'Supervision visits' },
  timeline: { vi: 'Các mốc thời gian', en: 'Timeline' },
  late: { vi: 'Chậm so với mốc', en: 'Late against the timeline' },
  total: { vi: 'Tổng số', en: 'Total' },
  count: { vi: 'Số lượng', en: 'Count' },
  by_level: { vi: 'Theo cấp', en: 'By level' },
  by_sex: { vi: 'Theo giới tính', en: 'By sex' },
  by_round: { vi: 'Theo vòng', en: 'By round' },
  by_status: { vi: 'Theo tình trạng', en: 'By status' },
  by_kind: { vi: 'Theo loại', en: 'By kind' },
  level: { vi: 'Cấp', en: 'Level' },
  round: { vi: 'Vòng', en: 'Round' },
  held: { vi: 'Đã tổ chức', en: 'Held' },
  planned: { vi: 'Kế hoạch', en: 'Planned' },
  expected: { vi: 'Cần có', en: 'Expected' },
  formed: { vi: 'Đã thành lập', en: 'Formed' },
  done: { vi: 'Đã xong', en: 'Done' },
  convened: { vi: 'Cử tri được triệu tập', en: 'Voters convened' },
  present: { vi: 'Cử tri có mặt', en: 'Voters present' },
  attendance: { vi: 'Cử tri tham dự', en: 'Attendance' },
  confidence: { vi: 'Tín nhiệm', en: 'Confidence' },
  votes_for: { vi: 'Tán thành', en: 'For' },
  votes_against: { vi: 'Không tán thành', en: 'Against' },
  date: { vi: 'Ngày', en: 'Date' },
  due: { vi: 'Hạn', en: 'Due' },
  status: { vi: 'Tình trạng', en: 'Status' },
  milestone: { vi: 'Mốc', en: 'Milestone' },
  na: { vi: 'Quốc hội', en: 'National Assembly' },
  provincial: { vi: 'HĐND tỉnh', en: 'Provincial council' },
  district: { vi: 'HĐND huyện', en: 'District council' },
  commune: { vi: 'HĐND xã', en: 'Commune council' },
};

let current = readStoredLanguage();
const listeners = new Set();
document.documentElement.lang = current;

function readStoredLanguage() {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : 'vi';
  } catch {
    return 'vi';
  }
}

/** The current language, "vi" or "en". */
export function lang() {
  return current;
}

/** Switches the language, remembers it, and tells every listener. */
export function setLang(language) {
  if (!LANGUAGES.includes(language) || language === current) return;
  current = language;
  document.documentElement.lang = language;
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage may be unavailable; the choice then lasts until the window closes.
  }
  for (const listener of listeners) listener(language);
}

/** Switches between Vietnamese and English. */
export function toggleLang() {
  setLang(current === 'vi' ? 'en' : 'vi');
}

/** Registers `listener(language)`; returns a function that removes it. */
export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A fixed UI string in the current language, with {placeholders} filled from `vars`. */
export function t(key, vars = {}) {
  const entry = STRINGS[key];
  if (!entry) return key;
  const template = entry[current] ?? entry.vi;
  if (typeof template === 'function') return template(vars);
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * A label from a schema object in the current language: pick(kind) reads kind.vi / kind.en;
 * pick(field, 'hint') reads field.hint_vi / field.hint_en. Falls back to the other language.
 */
export function pick(object, prefix = '') {
  if (!object) return '';
  const key = (language) => (prefix ? `${prefix}_${language}` : language);
  const other = current === 'vi' ? 'en' : 'vi';
  return object[key(current)] ?? object[key(other)] ?? '';
}

/** The sentence to show for an error object from api.js (message_vi or message). */
export function errorText(error) {
  if (!error) return '';
  if (current === 'vi') return error.message_vi || error.message || String(error);
  return error.message || error.message_vi || String(error);
}

/** The label of a report key if this module knows one, else null. */
export function reportKeyLabel(key) {
  const entry = REPORT_KEYS[key];
  return entry ? entry[current] ?? entry.vi : null;
}
