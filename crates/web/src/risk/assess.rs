//! The assessment part of the risk form (LEC, LS or direct grading) as typed, its parsing into an
//! `Assessment` with Chinese messages per field, and the result the server shows after a submit
//! (the same as app.js shows live, so the page works without JavaScript).

use anjian_db::FieldErrors;
use anjian_domain::risk::{Assessment, GradingRules, RiskLevel};

use crate::hazard::forms::FormData;

/// The form fields of an assessment. LS uses its own field names (`ls_l`, `ls_s`) so switching
/// method in the browser never mixes an LEC L into an LS L.
#[derive(Debug, Default, Clone)]
pub struct AssessForm {
    pub method: String,
    pub l: String,
    pub e: String,
    pub c: String,
    pub ls_l: String,
    pub ls_s: String,
    pub reason: String,
}

/// What the method computes under the current rules, shown under the form.
pub struct AssessResult {
    pub formula: String,
    pub band: String,
    pub level: RiskLevel,
}

impl AssessForm {
    pub fn from_data(d: &FormData) -> AssessForm {
        AssessForm {
            method: d.get("method").trim().to_string(),
            l: d.get("l"),
            e: d.get("e"),
            c: d.get("c"),
            ls_l: d.get("ls_l"),
            ls_s: d.get("ls_s"),
            reason: d.get("reason"),
        }
    }

    /// The residual assessment's fields (`residual_method`, `residual_l` … `residual_ls_s`,
    /// `residual_reason`); an empty method means none. A form of the earlier shape (a
    /// `residual` checkbox with LEC factors) still reads as LEC.
    pub fn residual_from_data(d: &FormData) -> AssessForm {
        let mut method = d.get("residual_method").trim().to_string();
        if method.is_empty() && d.has("residual") {
            method = "lec".into();
        }
        AssessForm {
            method,
            l: d.get("residual_l"),
            e: d.get("residual_e"),
            c: d.get("residual_c"),
            ls_l: d.get("residual_ls_l"),
            ls_s: d.get("residual_ls_s"),
            reason: d.get("residual_reason"),
        }
    }

    /// Parses a residual assessment: None without a method; errors name the `residual_…`
    /// fields and say they are about the residual risk.
    pub fn parse_residual(&self, errs: &mut FieldErrors) -> Option<Assessment> {
        if self.method.is_empty() {
            return None;
        }
        let mut own = FieldErrors::new();
        let a = self.parse(&mut own);
        for (f, m) in own.0 {
            errs.add(&format!("residual_{f}"), format!("剩余风险：{m}"));
        }
        a
    }

    /// The form prefilled from a stored assessment (re-assessment starts from the last one).
    pub fn from_assessment(a: &Assessment) -> AssessForm {
        use anjian_domain::risk::tenths;
        match a {
            Assessment::Lec { l, e, c } => AssessForm {
                method: "lec".into(),
                l: tenths(*l),
                e: tenths(*e),
                c: tenths(*c),
                ..Default::default()
            },
            Assessment::Ls { l, s } => AssessForm {
                method: "ls".into(),
                ls_l: l.to_string(),
                ls_s: s.to_string(),
                ..Default::default()
            },
            Assessment::Direct { reason } => AssessForm {
                method: "direct".into(),
                reason: reason.clone(),
                ..Default::default()
            },
        }
    }

    pub fn new_lec() -> AssessForm {
        AssessForm {
            method: "lec".into(),
            ..Default::default()
        }
    }

    /// Parses the chosen method's fields; errors name the form field (`l`, `ls_s`, `reason` …).
    pub fn parse(&self, errs: &mut FieldErrors) -> Option<Assessment> {
        let r = match self.method.as_str() {
            "lec" => Assessment::lec(&self.l, &self.e, &self.c),
            "ls" => Assessment::ls(&self.ls_l, &self.ls_s).map_err(|e| {
                let anjian_domain::risk::AssessmentError::Field(f, m) = e;
                anjian_domain::risk::AssessmentError::Field(
                    if f == "l" { "ls_l" } else { "ls_s" },
                    m,
                )
            }),
            "direct" => Assessment::direct(&self.reason),
            "" => {
                errs.add("method", "请选择评估方法");
                return None;
            }
            _ => {
                errs.add("method", "评估方法只能是 LEC、LS 或直接判定");
                return None;
            }
        };
        match r {
            Ok(a) => Some(a),
            Err(e) => {
                errs.add(e.field(), e.message());
                None
            }
        }
    }

    /// The residual result of the fields as they stand (none without a method).
    pub fn residual_result(&self, rules: &GradingRules) -> Option<AssessResult> {
        let a = self.parse_residual(&mut FieldErrors::new())?;
        Some(AssessResult::of(&a, rules))
    }

    /// The result of the fields as they stand, when they parse.
    pub fn result(&self, rules: &GradingRules) -> Option<AssessResult> {
        let a = self.parse(&mut FieldErrors::new())?;
        Some(AssessResult::of(&a, rules))
    }

    pub fn is(&self, method: &str) -> bool {
        self.method == method
    }
}

impl AssessResult {
    pub fn of(a: &Assessment, rules: &GradingRules) -> AssessResult {
        let band = match a {
            Assessment::Lec { .. } => rules.lec_band_label(a.score()).to_string(),
            Assessment::Ls { .. } => String::new(),
            Assessment::Direct { .. } => "直接判定为重大风险".to_string(),
        };
        AssessResult {
            formula: a.formula(),
            band,
            level: rules.level(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(method: &str, l: &str, e: &str, c: &str) -> AssessForm {
        AssessForm {
            method: method.into(),
            l: l.into(),
            e: e.into(),
            c: c.into(),
            ls_l: l.into(),
            ls_s: e.into(),
            ..Default::default()
        }
    }

    #[test]
    fn ls_errors_name_the_ls_fields() {
        let mut errs = FieldErrors::new();
        assert!(form("ls", "3", "9", "").parse(&mut errs).is_none());
        assert!(errs.get("ls_s").unwrap().contains("1 至 5"));
        let mut errs = FieldErrors::new();
        assert!(form("", "", "", "").parse(&mut errs).is_none());
        assert!(errs.get("method").is_some());
    }

    #[test]
    fn residual_errors_name_the_residual_fields_and_no_method_is_none() {
        let mut errs = FieldErrors::new();
        let mut f = form("ls", "3", "9", "");
        assert!(f.parse_residual(&mut errs).is_none());
        assert!(errs.get("residual_ls_s").unwrap().starts_with("剩余风险："));
        f.method.clear();
        let mut errs = FieldErrors::new();
        assert!(f.parse_residual(&mut errs).is_none());
        assert!(errs.is_empty());
        let d = form("direct", "", "", "").parse_residual(&mut errs);
        assert!(d.is_none() && errs.get("residual_reason").is_some());
    }

    #[test]
    fn result_matches_the_rules() {
        let r = GradingRules::default();
        let res = form("lec", "3", "6", "15").result(&r).unwrap();
        assert_eq!(res.formula, "D = 3×6×15 = 270");
        assert_eq!(res.level, RiskLevel::Large);
        assert_eq!(res.band, "高度危险，要立即整改");
        assert!(form("lec", "4", "6", "15").result(&r).is_none());
    }
}
