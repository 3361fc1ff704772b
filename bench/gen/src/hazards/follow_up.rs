//! The parts of a hazard's history beyond its row: timeline entries, deadline extensions, and a
//! major hazard's treatment plan, upward report and supervised listing.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;

use super::{Fate, Gen, Out};
use crate::sink::Val;
use crate::vocab::{self, pick};
use crate::world::{pick_user, UserRef};

impl Gen<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn event(
        &mut self,
        o: &mut Out,
        hazard: i64,
        at: DateTime<Utc>,
        by: Option<&UserRef>,
        action: &'static str,
        from: Option<&'static str>,
        to: Option<&'static str>,
        note: &'static str,
    ) {
        // Action codes and the system actor's name are the ones anjian_db::hazard writes.
        o.events.push(vec![
            self.ids.event.into(),
            hazard.into(),
            at.into(),
            by.map(|u| u.id).into(),
            by.map_or_else(|| "system:daily-job".to_string(), |u| u.name.clone())
                .into(),
            action.into(),
            from.into(),
            to.into(),
            note.into(),
        ]);
        self.ids.event += 1;
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn extension(
        &mut self,
        o: &mut Out,
        hazard: i64,
        by: &UserRef,
        decider: &UserRef,
        created: DateTime<Utc>,
        current: NaiveDate,
        requested: NaiveDate,
    ) {
        let asked = (created + Duration::days(2)).min(self.w.now);
        let decided = (asked + Duration::hours(20)).min(self.w.now);
        let reason = "整改所需设备采购周期较长，申请延期";
        self.event(
            o,
            hazard,
            asked,
            Some(by),
            "extension_requested",
            None,
            None,
            reason,
        );
        self.event(
            o,
            hazard,
            decided,
            Some(decider),
            "extension_approved",
            None,
            None,
            "同意延期",
        );
        o.extensions.push(vec![
            self.ids.extension.into(),
            hazard.into(),
            by.id.into(),
            asked.into(),
            current.into(),
            requested.into(),
            reason.into(),
            "approved".into(),
            decider.id.into(),
            decided.into(),
            "同意延期".into(),
        ]);
        self.ids.extension += 1;
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn major(
        &mut self,
        o: &mut Out,
        hazard: i64,
        fate: Fate,
        found_on: NaiveDate,
        deadline: NaiveDate,
        verified_on: Option<NaiveDate>,
        created: DateTime<Utc>,
        reporter: &UserRef,
    ) {
        // A plan is complete once rectification was organised; a pending one is still drafted.
        let planned = !matches!(fate, Fate::Pending | Fate::OverduePending);
        let reported_at = Some(created + Duration::hours(2)).filter(|t| *t <= self.w.now);
        if let Some(t) = reported_at {
            self.event(o, hazard, t, Some(reporter), "reported", None, None, "");
        }
        let part = |s: &'static str| Val::from(if planned { s } else { "" });
        o.majors.push(vec![
            hazard.into(),
            part("消除隐患，恢复安全运行"),
            part("停用相关设施，委托专业单位治理"),
            part("专项资金二十万元，物资已落实"),
            part("单位主要负责人牵头，安全科具体实施"),
            part("九十日内完成"),
            part("设置警戒区，制定应急处置方案并演练"),
            "隐患部位已采取临时管控措施".into(),
            "可能导致人员伤亡和储备物资损失".into(),
            reported_at.into(),
            reporter.id.into(),
            created.into(),
        ]);
        if self.rng.gen_bool(0.2) {
            let listed_on =
                (found_on + Duration::days(self.rng.gen_range(1..10))).min(self.w.today);
            let supervisor = pick_user(&mut self.rng, &self.w.supervisors).clone();
            let listed_at = self.w.at(&mut self.rng, listed_on);
            self.event(
                o,
                hazard,
                listed_at,
                Some(&supervisor),
                "listed",
                None,
                None,
                "",
            );
            if let Some(v) = verified_on {
                let lifted_at = self.w.at(&mut self.rng, v.max(listed_on));
                self.event(
                    o,
                    hazard,
                    lifted_at,
                    Some(&supervisor),
                    "lifted",
                    None,
                    None,
                    "",
                );
            }
            o.listings.push(vec![
                self.ids.listing.into(),
                hazard.into(),
                pick(&mut self.rng, vocab::AUTHORITIES).into(),
                listed_on.into(),
                deadline.max(listed_on).into(),
                supervisor.id.into(),
                verified_on.map(|v| v.max(listed_on)).into(),
                verified_on.map(|_| supervisor.id).into(),
                if verified_on.is_some() {
                    "重大隐患已整改销号，解除督办"
                } else {
                    ""
                }
                .into(),
                1i64.into(),
            ]);
            self.ids.listing += 1;
        }
    }
}
