//! The command line, parsed once into validated settings.

use chiso_core::Lang;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "chiso",
    version,
    about = "chiso — chấm điểm, xếp hạng và theo dõi chuyển đổi số của các cơ quan nhà nước.\n\
             chiso — assess, rank and monitor the digital transformation of state agencies.",
    after_help = "Ví dụ / Examples:\n  \
        chiso score data/sonla/2024\n  \
        chiso score data/sonla/2024 --lang en --format json\n  \
        chiso check data/sonla/2024\n  \
        chiso report data/sonla/2024 --lang en\n  \
        chiso report data/sonla/2024 --format pdf --out bao-cao-2024.pdf\n  \
        chiso kpi data/sonla/monitoring --year 2025\n  \
        chiso kpi data/sonla/monitoring --year 2025 --format docx --out theo-doi-2025.docx\n  \
        chiso feed dossiers hoso.csv --period quarter --out observations.csv\n  \
        chiso service-index data/dvc --period quarter --from 2025-Q1\n  \
        chiso service-data data/dvc-demo\n  \
        chiso analyze uncertainty data/sonla/2024 --spec data/sonla/2024/uncertainty.toml\n  \
        chiso analyze gap data/sonla/2024 --unit VPUBND"
)]
pub struct Cli {
    /// Ngôn ngữ: vi (tiếng Việt) hoặc en. Language of names, messages and numbers.
    #[arg(long, global = true, value_enum, default_value = "vi", env = "CHISO_LANG")]
    pub lang: LangArg,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chấm điểm một gói đánh giá và in bảng xếp hạng. Score a package and print the rankings.
    Score {
        /// Thư mục gói đánh giá (có assessment.toml). The package folder (holding assessment.toml).
        package: PathBuf,
        /// Dạng kết quả: table (bảng), json, csv. Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Gói theo dõi để lấy giá trị cho chỉ số có source = "kpi:…". Monitoring package for kpi: indicators.
        #[arg(long, value_name = "PACKAGE")]
        monitoring: Option<PathBuf>,
    },
    /// Kiểm tra một gói đánh giá mà không chấm điểm. Validate a package without scoring it.
    Check {
        /// Thư mục gói đánh giá. The package folder.
        package: PathBuf,
        /// Gói của đợt trước, để kiểm tra lineage.csv. The previous round's package, to check lineage.csv against.
        #[arg(long)]
        previous: Option<PathBuf>,
    },
    /// Theo dõi chỉ tiêu so với mục tiêu. Judge KPIs against their targets.
    Kpi {
        /// Thư mục gói theo dõi (có kpis.toml, observations.csv). The monitoring package folder.
        package: PathBuf,
        /// Năm đánh giá (mặc định: năm gần nhất có số liệu). Year to judge (default: latest with data).
        #[arg(long)]
        year: Option<i32>,
        /// Phạm vi: province (toàn tỉnh) hoặc mã đơn vị. Scope: province or a unit code.
        #[arg(long, default_value = "province")]
        scope: String,
        /// Dạng kết quả: table (bảng), json, hoặc báo cáo cho Ban Chỉ đạo dạng md, docx (Word), pdf.
        /// Output format: table, json, or the steering committee's report as md, docx (Word) or pdf.
        #[arg(long, value_enum, default_value = "table")]
        format: KpiFormat,
        /// Ghi vào tệp này thay vì màn hình (bắt buộc với docx và pdf). Write to this file instead of standard output (required for docx and pdf).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Tính chỉ tiêu từ dữ liệu thô của hệ thống kết nối. Turn raw records of connected systems into KPI observations.
    Feed {
        /// Loại dữ liệu: dossiers (hồ sơ TTHC) hoặc documents (văn bản đi/đến). Kind of records.
        #[arg(value_enum)]
        kind: FeedKindArg,
        /// Tệp CSV đầu vào. The input CSV file.
        file: PathBuf,
        /// Kỳ tổng hợp: month (tháng), quarter (quý), year (năm). Period of the observations.
        #[arg(long, value_enum, default_value = "month")]
        period: PeriodArg,
        /// Ghi kết quả vào tệp (mặc định: màn hình). Write the observations to this file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Bỏ qua dòng lỗi thay vì dừng lại. Skip bad rows instead of stopping at the first.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) của từng sở, ngành và xã, phường.
    /// The public-service quality index (Decision 766 of the Prime Minister) per department and commune.
    #[command(
        name = "service-index",
        after_help = "Thư mục gồm units.csv, procedures.csv, dossiers.csv và (nếu có) petitions.csv; xem docs/formats/service-index.md.\n\
        The folder holds units.csv, procedures.csv, dossiers.csv and, optionally, petitions.csv; see docs/formats/service-index.md.\n\n\
        Ví dụ / Examples:\n  \
        chiso service-index data/dvc\n  \
        chiso service-index data/dvc --period quarter --from 2025-Q1 --to 2025-Q4 --format json\n  \
        chiso service-index data/dvc --unit STP --lang en\n  \
        chiso service-index data/dvc --observations > svc-observations.csv"
    )]
    ServiceIndex {
        /// Thư mục dữ liệu dịch vụ công. The service folder.
        folder: PathBuf,
        /// Kỳ tính: month (tháng), quarter (quý), year (năm). Period of the index.
        #[arg(long, value_enum, default_value = "month")]
        period: PeriodArg,
        /// Từ kỳ (mặc định: kỳ đầu tiên có hồ sơ). First period shown (default: the first with dossiers).
        #[arg(long, value_name = "YYYY-MM|YYYY-Qn|YYYY")]
        from: Option<String>,
        /// Đến kỳ (mặc định: kỳ cuối cùng có hồ sơ). Last period shown (default: the last with dossiers).
        #[arg(long, value_name = "YYYY-MM|YYYY-Qn|YYYY")]
        to: Option<String>,
        /// Chỉ in đơn vị này (mã trong units.csv). Show only this unit (its code in units.csv).
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Dạng kết quả: table (bảng), json, csv. Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// In số liệu chỉ tiêu (kpi,scope,period,value,note) thay cho kết quả. Print KPI observations instead.
        #[arg(long)]
        observations: bool,
        /// Bỏ qua dòng lỗi thay vì dừng lại. Skip bad rows instead of stopping at the first.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Tạo một thư mục dữ liệu dịch vụ công minh hoạ của Sơn La (sinh ngẫu nhiên, không phải số liệu công bố).
    /// Write an illustrative Son La service folder (generated, not published figures).
    #[command(
        name = "service-data",
        after_help = "Đơn vị là 15 sở, ngành và 75 xã, phường của tỉnh từ năm 2025; thủ tục, hồ sơ và phản ánh là dữ liệu sinh ngẫu nhiên, cùng seed cho cùng kết quả.\n\
        The units are the province's 15 departments and 75 communes of 2025; procedures, dossiers and petitions are generated, and the same seed gives the same files.\n\n\
        Ví dụ / Examples:\n  \
        chiso service-data data/dvc-demo\n  \
        chiso service-index data/dvc-demo --period quarter\n  \
        chiso service-data /tmp/dvc --dossiers 10000000 --petitions 100000 --procedures 5000 --units 89 --force"
    )]
    ServiceData {
        /// Thư mục sẽ ghi (tạo nếu chưa có). The folder to write (created if needed).
        folder: PathBuf,
        /// Hạt giống sinh số ngẫu nhiên (mặc định 766). Seed of the generator (default 766).
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Tháng đầu tiên (mặc định 2025-07). First month (default 2025-07).
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// Số tháng (mặc định 12). Number of months (default 12).
        #[arg(long, value_name = "N")]
        months: Option<u32>,
        /// Số thủ tục (mặc định 300). Number of procedures (default 300).
        #[arg(long, value_name = "N")]
        procedures: Option<usize>,
        /// Số hồ sơ (mặc định 40000). Number of dossiers (default 40000).
        #[arg(long, value_name = "N")]
        dossiers: Option<u64>,
        /// Số phản ánh, kiến nghị (mặc định 2000). Number of petitions (default 2000).
        #[arg(long, value_name = "N")]
        petitions: Option<u64>,
        /// Chỉ lấy N đơn vị đầu tiên, sở trước (mặc định: cả 90). Only the first N units, departments first (default: all 90).
        #[arg(long, value_name = "N")]
        units: Option<usize>,
        /// Thay thế các tệp đã có trong thư mục. Replace the files already in the folder.
        #[arg(long)]
        force: bool,
    },
    /// Tạo hoặc nâng cấp cơ sở dữ liệu (chỉ chạy migration). Create or upgrade the database (migrations only).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Chạy ứng dụng web (mặc định http://127.0.0.1:8080). Run the web application.
    Serve(ServeArgs),
    /// Sao lưu cơ sở dữ liệu vào một tệp, an toàn khi chiso serve đang chạy.
    /// Back up the database to one file, safely while chiso serve runs.
    #[command(
        after_help = "SQLite: một bản chụp nhất quán kèm phần mô tả (phiên bản, lược đồ, SHA-256), ghi nguyên tử.\n\
        SQLite: a consistent snapshot with a manifest (version, schema, SHA-256), written atomically.\n\
        PostgreSQL: chạy pg_dump --format=custom (cần có trong PATH). Runs pg_dump --format=custom (must be on PATH).\n\n\
        Ví dụ / Example:\n  chiso backup --data-dir /var/lib/chiso --out /backup/chiso-2026-12-14.backup"
    )]
    Backup {
        /// Tệp sao lưu cần ghi (ghi đè nếu đã có). The backup file to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Khôi phục cơ sở dữ liệu từ một bản sao lưu (hãy dừng chiso serve trước).
    /// Restore the database from a backup (stop chiso serve first).
    #[command(
        after_help = "Kiểm tra kích thước, SHA-256, PRAGMA integrity_check và phiên bản lược đồ trước khi thay thế;\n\
        cơ sở dữ liệu cũ được giữ tại chiso.db.before-restore-<thời điểm>, rồi nâng cấp lược đồ.\n\
        Checks the size, SHA-256, PRAGMA integrity_check and schema version before replacing anything;\n\
        the old database is kept as chiso.db.before-restore-<time>, then the schema is migrated.\n\
        PostgreSQL: pg_restore vào một cơ sở dữ liệu trống. pg_restore into an empty database.\n\n\
        Ví dụ / Example:\n  chiso restore /backup/chiso-2026-12-14.backup --data-dir /var/lib/chiso --force"
    )]
    Restore {
        /// Tệp sao lưu (của chiso backup, hoặc pg_dump với PostgreSQL). The backup file (from chiso backup, or pg_dump for PostgreSQL).
        file: PathBuf,
        /// Thay thế cơ sở dữ liệu đã có dữ liệu (bản cũ được giữ lại). Replace a database that holds data (the old one is kept).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Quản lý tài khoản người dùng. Manage user accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// In đoạn tóm tắt kết quả để công bố, hoặc lập báo cáo kết quả (md, docx, pdf).
    /// Print the summary paragraph to publish, or make the results report (md, docx, pdf).
    #[command(
        after_help = "Báo cáo gồm: tóm tắt, bảng xếp hạng và biểu đồ của từng khối, độ vững của xếp loại (khi gói có uncertainty.toml), những điểm cần cải thiện.\n\
        The report holds: the summary, each group's ranking and chart, the robustness of the bands (when the package has uncertainty.toml), where to improve.\n\n\
        Ví dụ / Examples:\n  \
        chiso report data/sonla/2024\n  \
        chiso report data/sonla/2024 --format pdf --out bao-cao-2024.pdf --decision \"Quyết định số 123/QĐ-UBND\" --decided-on 2025-03-20\n  \
        chiso report data/sonla/2024 --lang en --format docx --out report-2024.docx"
    )]
    Report {
        /// Thư mục gói đánh giá. The package folder.
        package: PathBuf,
        /// Dạng: text (đoạn tóm tắt), md, docx (Word), pdf. Output format: text (the summary paragraph), md, docx (Word), pdf.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Ghi vào tệp này thay vì màn hình (bắt buộc với docx và pdf). Write to this file instead of standard output (required for docx and pdf).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Số, ký hiệu của quyết định phê duyệt kết quả. The number of the decision approving the results.
        #[arg(long, value_name = "TEXT")]
        decision: Option<String>,
        /// Ngày ban hành quyết định, dạng YYYY-MM-DD. The date of the decision, written YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        decided_on: Option<String>,
    },
    /// Phân tích độ vững của xếp hạng và khoảng cách tới xếp loại kế tiếp (không thay đổi gói).
    /// Analyse how robust the ranking is, and what would move a unit up (the package is not changed).
    Analyze {
        #[command(subcommand)]
        analysis: Analysis,
    },
}

/// The three analyses of `chiso analyze` (docs/formats/analysis.md).
#[derive(Debug, Subcommand)]
pub enum Analysis {
    /// Phân tích bất định: thứ hạng của mỗi đơn vị thay đổi đến đâu khi trọng số và phương pháp
    /// thay đổi. Uncertainty: how far each unit's rank moves when weights and methods vary.
    Uncertainty {
        /// Thư mục gói đánh giá. The package folder.
        package: PathBuf,
        /// Tệp đặc tả phân tích bất định (TOML). The uncertainty specification (TOML).
        #[arg(long, value_name = "FILE")]
        spec: PathBuf,
        /// Dạng kết quả: table (bảng) hoặc json. Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: AnalysisFormat,
    },
    /// Phân tích độ nhạy (Sobol): đầu vào bất định nào làm thứ hạng thay đổi nhiều nhất.
    /// Sensitivity (Sobol): which uncertain input drives the change of the ranking.
    Sensitivity {
        /// Thư mục gói đánh giá. The package folder.
        package: PathBuf,
        /// Tệp đặc tả phân tích bất định (TOML); samples là số mẫu cơ sở N.
        /// The uncertainty specification (TOML); samples is the number of base samples N.
        #[arg(long, value_name = "FILE")]
        spec: PathBuf,
        /// Số lần lấy mẫu lại (bootstrap) cho khoảng tin cậy 95%. Bootstrap resamples for the 95% intervals.
        #[arg(long, value_name = "B", default_value_t = 100)]
        bootstrap: usize,
        /// Dạng kết quả: table (bảng) hoặc json. Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: AnalysisFormat,
    },
    /// Phân tích khoảng cách: đơn vị cần thêm bao nhiêu điểm, ở chỉ số nào, để lên xếp loại kế tiếp
    /// (chỉ khung chấm điểm). Gap: the points a unit needs for the next band, and where (points mode).
    Gap {
        /// Thư mục gói đánh giá. The package folder.
        package: PathBuf,
        /// Mã đơn vị (như trong units.csv). The unit's code (as in units.csv).
        #[arg(long, value_name = "CODE")]
        unit: String,
        /// Dạng kết quả: table (bảng) hoặc json. Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: AnalysisFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Vi,
    En,
}

impl From<LangArg> for Lang {
    fn from(arg: LangArg) -> Lang {
        match arg {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeedKindArg {
    Dossiers,
    Documents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KpiFormat {
    Table,
    Json,
    Md,
    Docx,
    Pdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Md,
    Docx,
    Pdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalysisFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Where the database is: a URL, or `chiso.db` (SQLite) in the data directory.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Địa chỉ CSDL: sqlite:… hoặc postgres://… (mặc định: chiso.db trong thư mục dữ liệu).
    /// Database URL; the scheme picks SQLite or PostgreSQL (default: chiso.db in the data directory).
    #[arg(long, env = "CHISO_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Thư mục dữ liệu. Data directory.
    #[arg(long, env = "CHISO_DATA_DIR", default_value = ".", global = true)]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// The database URL these settings name.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite:{}", self.data_dir.join("chiso.db").display()),
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Địa chỉ lắng nghe. Address to listen on.
    #[arg(long, env = "CHISO_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Dạng nhật ký: text hoặc json. Log format (level via RUST_LOG, default info).
    #[arg(long, env = "CHISO_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Đặt cookie Secure (khi chạy sau HTTPS). Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "CHISO_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Lấy địa chỉ người dùng từ X-Forwarded-For (chỉ khi chạy sau reverse proxy đặt header này).
    /// Take the client's address from X-Forwarded-For (only behind a reverse proxy that sets it).
    #[arg(long, env = "CHISO_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Lần chạy đầu: điền và công bố đợt 2025 bằng dữ liệu minh hoạ (không phải kết quả thật).
    /// First start: fill and publish the 2025 round with demo data (not real results).
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserAction {
    /// Thêm người dùng (mật khẩu từ CHISO_USER_PASSWORD hoặc nhập vào). Add a user
    /// (password from CHISO_USER_PASSWORD or standard input).
    Add {
        username: String,
        /// admin, appraiser, reporter, viewer
        #[arg(long)]
        role: String,
        /// Mã đơn vị (bắt buộc với reporter). Unit code (required for reporters).
        #[arg(long)]
        unit: Option<String>,
        /// Họ tên hiển thị. Display name (default: the username).
        #[arg(long)]
        name: Option<String>,
    },
    /// Đặt mật khẩu mới. Set a new password.
    Passwd { username: String },
    /// Liệt kê người dùng. List users.
    List,
}
