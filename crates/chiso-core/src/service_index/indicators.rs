//! The indicators of the index: their codes, groups, maximum points, rules, names in
//! both languages, and the optional inputs each needs. One table, read by scoring,
//! renderers and documentation tests alike.

use crate::Lang;
use std::fmt;

/// How an indicator's rate becomes points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// points = max × rate.
    Linear,
    /// points = max × min(rate / target, 1).
    Target(f64),
    /// The rate is reported but earns no points (3.1–3.3); the portal's target, if
    /// it names one, for display.
    Reported { target: Option<f64> },
    /// A mean (2.2, days), reported, no points.
    Mean,
}

/// An input beyond the base dossier columns: an optional column of dossiers.csv, or
/// the file petitions.csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    Synced,
    FeeDue,
    PaidOnline,
    EResult,
    Attached,
    Reused,
    DataStore,
    PopulationData,
    Disliked,
    Petitions,
}

impl Input {
    pub const ALL: [Input; 10] = [
        Input::Synced,
        Input::FeeDue,
        Input::PaidOnline,
        Input::EResult,
        Input::Attached,
        Input::Reused,
        Input::DataStore,
        Input::PopulationData,
        Input::Disliked,
        Input::Petitions,
    ];

    /// The column of dossiers.csv, or `petitions.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Input::Synced => "synced",
            Input::FeeDue => "fee_due",
            Input::PaidOnline => "paid_online",
            Input::EResult => "e_result",
            Input::Attached => "attached",
            Input::Reused => "reused",
            Input::DataStore => "data_store",
            Input::PopulationData => "population_data",
            Input::Disliked => "disliked",
            Input::Petitions => "petitions.csv",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The inputs a run has (the optional columns found, whether petitions.csv exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Inputs(u16);

impl Inputs {
    /// No optional input.
    pub fn none() -> Self {
        Inputs(0)
    }

    /// Every optional input.
    pub fn all() -> Self {
        Input::ALL.into_iter().fold(Inputs::none(), Inputs::with)
    }

    pub fn with(self, input: Input) -> Self {
        Inputs(self.0 | input.bit())
    }

    pub fn without(self, input: Input) -> Self {
        Inputs(self.0 & !input.bit())
    }

    pub fn has(self, input: Input) -> bool {
        self.0 & input.bit() != 0
    }

    /// Whether every input `code` needs is here.
    pub fn cover(self, code: IndicatorCode) -> bool {
        code.inputs().iter().all(|&i| self.has(i))
    }
}

/// An indicator of the index, by what it measures; [`IndicatorCode::code`] is its
/// number in the portal's table (`1.1`, `4.A`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndicatorCode {
    AnnouncedOnTime,
    PublishedOnTime,
    CompleteRecord,
    SyncedDossiers,
    OnTimeDossiers,
    HandlingTime,
    FullyOnlineDossiers,
    OfferedOnline,
    OnlineProceduresUsed,
    SubmittedOnline,
    PaidOnline,
    FeeProceduresPaidOnline,
    FeeDataSynced,
    ElectronicResults,
    DigitisedDossiers,
    CertifiedCopies,
    DataReuse,
    DataStore,
    PopulationDataDossiers,
    PopulationDataProcedures,
    PetitionsOnTime,
    PetitionSatisfaction,
    DossierSatisfaction,
}

/// One row of the indicator table.
struct Spec {
    code: &'static str,
    group: u8,
    max: f64,
    rule: Rule,
    vi: &'static str,
    en: &'static str,
    inputs: &'static [Input],
}

use IndicatorCode as C;

const fn spec(
    code: &'static str,
    group: u8,
    max: f64,
    rule: Rule,
    names: [&'static str; 2],
    inputs: &'static [Input],
) -> Spec {
    Spec { code, group, max, rule, vi: names[0], en: names[1], inputs }
}

const LINEAR: Rule = Rule::Linear;

/// The table, in [`IndicatorCode`] order.
#[rustfmt::skip]
const TABLE: [Spec; 23] = [
    spec("1.1", 1, 6.0, LINEAR, ["Thủ tục hành chính được công bố đúng hạn", "Procedures announced on time"], &[]),
    spec("1.2", 1, 4.0, LINEAR, ["Thủ tục hành chính được công khai đúng hạn", "Procedures made public on time"], &[]),
    spec("1.3", 1, 2.0, LINEAR, ["Thủ tục hành chính công khai đầy đủ các bộ phận", "Procedures with all required parts public"], &[]),
    spec("1.4", 1, 6.0, LINEAR, ["Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", "Dossiers synchronised to the national portal"], &[Input::Synced]),
    spec("2.1", 2, 20.0, LINEAR, ["Hồ sơ giải quyết đúng hạn", "Dossiers handled on time"], &[]),
    spec("2.2", 2, 0.0, Rule::Mean, ["Thời gian giải quyết trung bình (ngày)", "Mean handling time (days)"], &[]),
    spec("3.0", 3, 12.0, LINEAR, ["Hồ sơ trực tuyến toàn trình", "Fully online dossiers"], &[]),
    spec("3.1", 3, 0.0, Rule::Reported { target: Some(0.8) }, ["Thủ tục hành chính cung cấp dịch vụ công trực tuyến", "Procedures offered online"], &[]),
    spec("3.2", 3, 0.0, Rule::Reported { target: None }, ["Thủ tục trực tuyến có phát sinh hồ sơ trực tuyến", "Online procedures that received an online dossier"], &[]),
    spec("3.3", 3, 0.0, Rule::Reported { target: Some(0.5) }, ["Hồ sơ nộp trực tuyến", "Dossiers submitted online"], &[]),
    spec("4.A", 4, 6.0, LINEAR, ["Hồ sơ thanh toán trực tuyến", "Dossiers paid online"], &[Input::FeeDue, Input::PaidOnline]),
    spec("4.B", 4, 2.0, Rule::Target(0.8), ["Thủ tục có phí, lệ phí phát sinh thanh toán trực tuyến", "Fee-bearing procedures with an online payment"], &[Input::PaidOnline]),
    spec("4.C", 4, 2.0, Rule::Target(0.8), ["Thủ tục có phí, lệ phí được đồng bộ dữ liệu", "Fee data synchronised"], &[Input::Synced]),
    spec("5.1", 5, 6.0, LINEAR, ["Kết quả giải quyết được cấp bản điện tử", "Electronic results"], &[Input::EResult]),
    spec("5.2", 5, 4.0, LINEAR, ["Hồ sơ được số hóa", "Digitised dossiers"], &[Input::Attached, Input::EResult]),
    spec("5.3", 5, 2.0, LINEAR, ["Chứng thực bản sao điện tử từ bản chính", "Electronic certification of copies"], &[]),
    spec("5.4", 5, 2.0, Rule::Target(0.8), ["Khai thác, sử dụng lại dữ liệu đã số hóa", "Reuse of digitised data"], &[Input::Reused]),
    spec("5.5", 5, 4.0, LINEAR, ["Hồ sơ kết nối kho dữ liệu cá nhân, tổ chức", "Dossiers linked to the applicant's data store"], &[Input::DataStore]),
    spec("5.6", 5, 2.0, LINEAR, ["Hồ sơ sử dụng dữ liệu dân cư", "Dossiers using population data"], &[Input::PopulationData]),
    spec("5.7", 5, 2.0, LINEAR, ["Thủ tục kết nối dữ liệu dân cư", "Procedures connected to population data"], &[Input::PopulationData]),
    spec("6.1", 6, 6.0, LINEAR, ["Phản ánh, kiến nghị được xử lý đúng hạn", "Petitions handled on time"], &[Input::Petitions]),
    spec("6.2", 6, 6.0, LINEAR, ["Hài lòng về xử lý phản ánh, kiến nghị", "Satisfaction with petition handling"], &[Input::Petitions]),
    spec("6.3", 6, 6.0, Rule::Target(0.9), ["Hài lòng về giải quyết hồ sơ", "Satisfaction with dossier handling"], &[Input::Disliked]),
];

impl IndicatorCode {
    /// Every indicator, in the portal's order.
    pub const ALL: [IndicatorCode; 23] = [
        C::AnnouncedOnTime,
        C::PublishedOnTime,
        C::CompleteRecord,
        C::SyncedDossiers,
        C::OnTimeDossiers,
        C::HandlingTime,
        C::FullyOnlineDossiers,
        C::OfferedOnline,
        C::OnlineProceduresUsed,
        C::SubmittedOnline,
        C::PaidOnline,
        C::FeeProceduresPaidOnline,
        C::FeeDataSynced,
        C::ElectronicResults,
        C::DigitisedDossiers,
        C::CertifiedCopies,
        C::DataReuse,
        C::DataStore,
        C::PopulationDataDossiers,
        C::PopulationDataProcedures,
        C::PetitionsOnTime,
        C::PetitionSatisfaction,
        C::DossierSatisfaction,
    ];

    fn spec(self) -> &'static Spec {
        &TABLE[self as usize]
    }

    /// `1.1`, `4.A`, …
    pub fn code(self) -> &'static str {
        self.spec().code
    }

    /// The indicator of a code (`"4.A"`).
    pub fn parse(code: &str) -> Option<IndicatorCode> {
        IndicatorCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The group (1–6).
    pub fn group(self) -> u8 {
        self.spec().group
    }

    /// Its maximum points (0 for the reported ones).
    pub fn max(self) -> f64 {
        self.spec().max
    }

    pub fn rule(self) -> Rule {
        self.spec().rule
    }

    pub fn name(self, lang: Lang) -> &'static str {
        lang.pick(self.spec().vi, self.spec().en)
    }

    /// The optional inputs it needs.
    pub fn inputs(self) -> &'static [Input] {
        self.spec().inputs
    }

    /// Whether it earns points (false for 2.2 and 3.1–3.3).
    pub fn is_scored(self) -> bool {
        matches!(self.rule(), Rule::Linear | Rule::Target(_))
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A group of indicators (nhóm tiêu chí).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    /// 1–6.
    pub code: u8,
    /// Its maximum points, when every indicator applies.
    pub max: f64,
    vi: &'static str,
    en: &'static str,
}

impl Group {
    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.vi, self.en)
    }

    /// Its indicators, in order.
    pub fn indicators(&self) -> impl Iterator<Item = IndicatorCode> + use<> {
        let code = self.code;
        IndicatorCode::ALL.into_iter().filter(move |c| c.group() == code)
    }
}

/// The six groups: the decision's five, with "online services" split by the portal
/// into online services (3) and online payment (4).
pub const GROUPS: [Group; 6] = [
    Group { code: 1, max: 18.0, vi: "Công khai, minh bạch", en: "Publicity and transparency" },
    Group {
        code: 2, max: 20.0, vi: "Tiến độ, kết quả giải quyết", en: "Timeliness and results of handling"
    },
    Group { code: 3, max: 12.0, vi: "Dịch vụ công trực tuyến", en: "Online public services" },
    Group { code: 4, max: 10.0, vi: "Thanh toán trực tuyến", en: "Online payment" },
    Group { code: 5, max: 22.0, vi: "Số hóa hồ sơ", en: "Digitisation of dossiers" },
    Group { code: 6, max: 18.0, vi: "Mức độ hài lòng", en: "Satisfaction" },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_code_order_and_its_groups_add_up() {
        for (i, code) in IndicatorCode::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, i, "{code}");
            assert_eq!(IndicatorCode::parse(code.code()), Some(code));
        }
        for group in GROUPS {
            let sum: f64 = group.indicators().map(IndicatorCode::max).sum();
            assert_eq!(sum, group.max, "group {}", group.code);
        }
        assert_eq!(GROUPS.iter().map(|g| g.max).sum::<f64>(), 100.0);
        assert_eq!(IndicatorCode::ALL.iter().filter(|c| !c.is_scored()).count(), 4, "2.2 and 3.1–3.3");
    }

    #[test]
    fn every_name_is_in_both_languages_and_english_names_are_ascii() {
        for code in IndicatorCode::ALL {
            assert!(!code.name(Lang::Vi).is_empty() && code.name(Lang::Vi) != code.name(Lang::En), "{code}");
            assert!(code.name(Lang::En).is_ascii(), "{code}");
        }
        for group in GROUPS {
            assert!(group.name(Lang::En).is_ascii());
        }
    }

    #[test]
    fn inputs_cover_an_indicator_only_when_all_are_there() {
        let some = Inputs::none().with(Input::FeeDue);
        assert!(!some.cover(IndicatorCode::PaidOnline));
        assert!(some.with(Input::PaidOnline).cover(IndicatorCode::PaidOnline));
        assert!(Inputs::none().cover(IndicatorCode::OnTimeDossiers));
        assert!(!Inputs::all().without(Input::Petitions).cover(IndicatorCode::PetitionsOnTime));
    }
}
