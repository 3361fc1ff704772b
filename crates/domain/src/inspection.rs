//! Inspections (安全检查): their kinds and the result of one checklist item.

use serde::{Deserialize, Serialize};

/// How an inspection was carried out. 暗访 is the 「四不两直」 visit: no notice, straight to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    SelfCheck,
    Supervision,
    SpotCheck,
    Unannounced,
    Special,
}

impl InspectionKind {
    pub const ALL: [InspectionKind; 5] = [
        InspectionKind::SelfCheck,
        InspectionKind::Supervision,
        InspectionKind::SpotCheck,
        InspectionKind::Unannounced,
        InspectionKind::Special,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InspectionKind::SelfCheck => "self_check",
            InspectionKind::Supervision => "supervision",
            InspectionKind::SpotCheck => "spot_check",
            InspectionKind::Unannounced => "unannounced",
            InspectionKind::Special => "special",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::SelfCheck => "自查",
            InspectionKind::Supervision => "督查",
            InspectionKind::SpotCheck => "抽查",
            InspectionKind::Unannounced => "暗访",
            InspectionKind::Special => "专项检查",
        }
    }

    pub fn from_code(code: &str) -> Option<InspectionKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Accepts the code or the Chinese label (Excel imports carry labels).
    pub fn parse(s: &str) -> Option<InspectionKind> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
    }
}

/// The result of one checklist item during an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    Pass,
    Fail,
    NotApplicable,
}

impl ItemResult {
    pub const ALL: [ItemResult; 3] = [
        ItemResult::Pass,
        ItemResult::Fail,
        ItemResult::NotApplicable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ItemResult::Pass => "pass",
            ItemResult::Fail => "fail",
            ItemResult::NotApplicable => "na",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemResult::Pass => "合格",
            ItemResult::Fail => "不合格",
            ItemResult::NotApplicable => "不适用",
        }
    }

    pub fn from_code(code: &str) -> Option<ItemResult> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// Campaigns (专项行动) and key periods (重要时段) share one table; the kind tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    Campaign,
    KeyPeriod,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 2] = [CampaignKind::Campaign, CampaignKind::KeyPeriod];

    pub fn code(self) -> &'static str {
        match self {
            CampaignKind::Campaign => "campaign",
            CampaignKind::KeyPeriod => "key_period",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CampaignKind::Campaign => "专项行动",
            CampaignKind::KeyPeriod => "重要时段",
        }
    }

    pub fn from_code(code: &str) -> Option<CampaignKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for k in InspectionKind::ALL {
            assert_eq!(InspectionKind::from_code(k.code()), Some(k));
            assert_eq!(InspectionKind::parse(k.label()), Some(k));
        }
        for r in ItemResult::ALL {
            assert_eq!(ItemResult::from_code(r.code()), Some(r));
        }
        for k in CampaignKind::ALL {
            assert_eq!(CampaignKind::from_code(k.code()), Some(k));
        }
        assert_eq!(InspectionKind::parse("巡查"), None);
    }
}
