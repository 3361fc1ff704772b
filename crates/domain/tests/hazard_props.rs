//! Property tests of the hazard state machine: random command sequences from random users on
//! random dates can never produce a fake closure (假闭环), a rejection always reopens, and the
//! original deadline survives every extension.

use anjian_domain::hazard::{
    apply, Command, HazardGrade, HazardState, HazardStatus, RectificationPlan,
};
use anjian_domain::money::Fen;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
}

fn day(n: u64) -> NaiveDate {
    base().checked_add_days(Days::new(n)).unwrap()
}

/// Users 1..=3 so that "same person" happens often enough to matter.
fn command() -> impl Strategy<Value = Command> {
    let user = 1i64..=3;
    let date = 0u64..60;
    prop_oneof![
        (any::<bool>(), any::<bool>()).prop_map(|(o, m)| Command::Assign(RectificationPlan {
            owner: if o { "张三".into() } else { " ".into() },
            measures: if m {
                "整改措施".into()
            } else {
                String::new()
            },
            funds: Fen(100),
        })),
        (user.clone(), date.clone(), 0u32..3).prop_map(|(by, on, evidence)| {
            Command::SubmitRectification {
                by,
                on: day(on),
                evidence,
            }
        }),
        (user.clone(), date.clone(), 0u32..3).prop_map(|(by, on, evidence)| {
            Command::RecordImmediate {
                by,
                on: day(on),
                evidence,
            }
        }),
        (user.clone(), date.clone()).prop_map(|(by, on)| Command::Verify { by, on: day(on) }),
        (user.clone(), date.clone(), any::<bool>()).prop_map(|(by, on, r)| Command::Reject {
            by,
            on: day(on),
            reason: if r {
                "未整改到位".into()
            } else {
                String::new()
            },
        }),
        (user.clone(), date.clone()).prop_map(|(by, nd)| Command::RequestExtension {
            by,
            new_deadline: day(nd),
            reason: "材料未到".into(),
        }),
        (user, any::<bool>()).prop_map(|(by, approve)| Command::DecideExtension { by, approve }),
    ]
}

fn start() -> impl Strategy<Value = HazardState> {
    (any::<bool>(), any::<bool>(), 0u64..10, 10u64..40).prop_map(|(major, plan, found, dl)| {
        let grade = if major {
            HazardGrade::Major
        } else {
            HazardGrade::General
        };
        let mut s = HazardState::registered(grade, day(found), day(dl));
        s.major_plan_complete = plan;
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_path_reaches_closed_without_a_valid_verification(
        s0 in start(),
        cmds in prop::collection::vec((command(), 0u64..60), 1..25),
    ) {
        let mut s = s0.clone();
        // Evidence attached at submission, remembered per round.
        let mut evidence_this_round = 0u32;
        for (cmd, today) in cmds {
            let today = day(today);
            let before = s.clone();
            let Ok(next) = apply(&s, &cmd, today) else { continue };

            if let Command::SubmitRectification { evidence, .. } | Command::RecordImmediate { evidence, .. } = &cmd {
                evidence_this_round = *evidence;
            }
            if next.status == HazardStatus::Closed && before.status != HazardStatus::Closed {
                let Command::Verify { by, on } = &cmd else {
                    panic!("closed by {cmd:?}");
                };
                prop_assert_eq!(before.status, HazardStatus::AwaitingVerification);
                let rectifier = before.rectified_by.expect("a rectifier");
                prop_assert_ne!(*by, rectifier, "verified by the rectifier");
                let rectified_on = before.rectified_on.expect("a rectification date");
                prop_assert!(*on >= rectified_on, "verified before rectification");
                prop_assert!(*on <= today, "verified in the future");
                prop_assert!(evidence_this_round > 0, "closed without evidence");
                prop_assert_eq!(next.verified_by, Some(*by));
            }
            if before.status == HazardStatus::Closed {
                prop_assert_eq!(&next, &before, "a closed hazard changed");
            }
            if let Command::Reject { .. } = &cmd {
                prop_assert!(next.status.awaits_rectification(), "rejection did not reopen");
                prop_assert_eq!(next.rectified_on, None);
            }
            prop_assert_eq!(next.original_deadline, s0.original_deadline, "original deadline lost");
            prop_assert!(next.deadline >= before.deadline, "deadline moved backwards");
            s = next;
        }
    }

    #[test]
    fn every_refusal_leaves_the_state_untouched_and_names_a_field(
        s0 in start(),
        cmd in command(),
        today in 0u64..60,
    ) {
        match apply(&s0, &cmd, day(today)) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.field().is_empty());
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn an_approved_extension_sets_the_requested_deadline_and_keeps_the_original(
        dl in 10u64..30,
        extra in 1u64..30,
        requester in 1i64..=3,
        decider in 1i64..=3,
    ) {
        let s = HazardState::registered(HazardGrade::General, day(0), day(dl));
        let today = day(5);
        let s = apply(&s, &Command::RequestExtension { by: requester, new_deadline: day(dl + extra), reason: "天气".into() }, today).unwrap();
        let r = apply(&s, &Command::DecideExtension { by: decider, approve: true }, today);
        if requester == decider {
            prop_assert!(r.is_err());
        } else {
            let s = r.unwrap();
            prop_assert_eq!(s.deadline, day(dl + extra));
            prop_assert_eq!(s.original_deadline, day(dl));
            prop_assert!(s.pending_extension.is_none());
        }
    }
}
