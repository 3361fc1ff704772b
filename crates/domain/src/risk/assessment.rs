//! One assessment of a risk: the method, its raw factors, and their checks.

use serde::{Deserialize, Serialize};

use super::*;

/// How a risk was assessed, with the raw factors (stored as given, so a change of the rules can
/// re-grade without re-asking anyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Assessment {
    /// 作业条件危险性评价法: L, E, C in tenths, each a value of its table.
    Lec { l: u32, e: u32, c: u32 },
    /// 风险矩阵法: L and S in 1..=5.
    Ls { l: u32, s: u32 },
    /// 直接判定: a reason that makes the risk 重大 (e.g. a major-hazard criterion it meets).
    Direct { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentError {
    /// (field, message): the field is `l`, `e`, `c`, `s` or `reason`.
    Field(&'static str, String),
}

impl AssessmentError {
    pub fn field(&self) -> &'static str {
        match self {
            AssessmentError::Field(f, _) => f,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AssessmentError::Field(_, m) => m,
        }
    }
}

fn in_table(table: &[TableEntry], v: u32) -> bool {
    table.iter().any(|(x, _)| *x == v)
}

fn table_values(table: &[TableEntry]) -> String {
    table
        .iter()
        .map(|(v, _)| tenths(*v))
        .collect::<Vec<_>>()
        .join("、")
}

impl Assessment {
    /// Parses an LEC assessment from the values people pick ("0.5", "6", "15").
    pub fn lec(l: &str, e: &str, c: &str) -> Result<Assessment, AssessmentError> {
        let pick = |field: &'static str, name: &str, table: &[TableEntry], s: &str| {
            match parse_tenths(s) {
                Some(v) if in_table(table, v) => Ok(v),
                _ if s.trim().is_empty() => {
                    Err(AssessmentError::Field(field, format!("请选择{name}的取值")))
                }
                _ => Err(AssessmentError::Field(
                    field,
                    format!("{name}只能取 {}", table_values(table)),
                )),
            }
        };
        Ok(Assessment::Lec {
            l: pick("l", "L（事故发生的可能性）", LEC_L, l)?,
            e: pick("e", "E（暴露于危险环境的频繁程度）", LEC_E, e)?,
            c: pick("c", "C（可能造成的后果）", LEC_C, c)?,
        })
    }

    /// Parses an LS assessment ("1" … "5" each).
    pub fn ls(l: &str, s: &str) -> Result<Assessment, AssessmentError> {
        let pick = |field: &'static str, name: &str, v: &str| match v.trim().parse::<u32>() {
            Ok(n) if (1..=5).contains(&n) => Ok(n),
            _ if v.trim().is_empty() => {
                Err(AssessmentError::Field(field, format!("请选择{name}的取值")))
            }
            _ => Err(AssessmentError::Field(
                field,
                format!("{name}只能取 1 至 5 的整数"),
            )),
        };
        Ok(Assessment::Ls {
            l: pick("l", "L（可能性）", l)?,
            s: pick("s", "S（严重性）", s)?,
        })
    }

    /// A direct grading needs its reason.
    pub fn direct(reason: &str) -> Result<Assessment, AssessmentError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AssessmentError::Field(
                "reason",
                "直接判定为重大风险时必须写明判定依据（如符合的重大事故隐患判定标准条款）".into(),
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AssessmentError::Field(
                "reason",
                "判定依据不能超过500字".into(),
            ));
        }
        Ok(Assessment::Direct {
            reason: reason.to_string(),
        })
    }

    pub fn method_code(&self) -> &'static str {
        match self {
            Assessment::Lec { .. } => "lec",
            Assessment::Ls { .. } => "ls",
            Assessment::Direct { .. } => "direct",
        }
    }

    pub fn method_label(&self) -> &'static str {
        method_label(self.method_code())
    }

    /// The score the method computes, as an integer that compares exactly: D in hundredths for
    /// LEC, R for LS, 0 for a direct grading. Stored with the risk so re-grading is one UPDATE.
    pub fn score(&self) -> u64 {
        match self {
            Assessment::Lec { l, e, c } => lec_d_hundredths(*l, *e, *c),
            Assessment::Ls { l, s } => u64::from(*l) * u64::from(*s),
            Assessment::Direct { .. } => 0,
        }
    }

    /// "D = 3×6×15 = 270", "R = 4×4 = 16", "直接判定".
    pub fn formula(&self) -> String {
        match self {
            Assessment::Lec { l, e, c } => format!(
                "D = {}×{}×{} = {}",
                tenths(*l),
                tenths(*e),
                tenths(*c),
                format_d(self.score())
            ),
            Assessment::Ls { l, s } => format!("R = {l}×{s} = {}", l * s),
            Assessment::Direct { .. } => "直接判定".to_string(),
        }
    }
}

pub fn method_label(code: &str) -> &'static str {
    match code {
        "lec" => "作业条件危险性评价法（LEC）",
        "ls" => "风险矩阵法（LS）",
        "direct" => "直接判定",
        _ => "",
    }
}
