//! The data layer's own free-form parsers: report instants, duty rosters' "姓名 电话" lines and
//! phone numbers, campaign kinds, inspection item results, to-do kinds, statistics figure codes,
//! and the LIKE pattern a typed keyword becomes, checked in the real database: a keyword finds
//! exactly the texts that contain it, whatever `%`, `_` or `\` it holds.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use anjian_db::campaign::parse_kind;
use anjian_db::duty::rotation::{parse_people, people_text, valid_phone, Person};
use anjian_db::hazard::TodoKind;
use anjian_db::incident::parse_instant;
use anjian_db::inspection::parse_result;
use anjian_db::statistics::{Figure, HazardMeasure};
use anjian_db::{like_pattern, Db};
use anjian_domain::hazard::HazardGrade;
use anjian_domain::inspection::{InspectionKind, ItemResult};

use super::*;

/// Text that looks like what the parsers read, or anything at all.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(
        &[
            "2023",
            "-",
            "/",
            "05",
            "31",
            "T",
            " ",
            ":",
            "08",
            "30",
            "59",
            "60",
            "24",
            "+08:00",
            "Z",
            ".",
            "123456789",
            "+262142-12-31 23:59",
            "-262143-01-01 00:00",
            "张三",
            "，",
            "、",
            "\t",
            "\n",
            "\r\n",
            "\u{3000}",
            "\0",
            "138",
            "0591-",
            "+86",
            "per_campaign.",
            "7",
            "hazards_",
            "general_",
            "major_",
            "found",
            "rectified",
            "open",
            "overdue",
            "inspections",
            "inspections_by_kind.",
            "self_check",
            "合格",
            "pass",
        ][..],
    );
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
        prop::collection::vec(piece, 0..10).prop_map(|v| v.concat()),
        "\\PC{0,40}",
    ]
}

fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// An instant between 1990 and 2099, to the second.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (631_152_000i64..4_102_444_800).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

fn person() -> impl Strategy<Value = Person> {
    let phone = prop_oneof![
        Just(String::new()),
        "1[3-9][0-9]{9}",
        "0[0-9]{2,3}-[0-9]{7,8}",
        "\\+86[0-9]{11}",
        "[0-9]{5,20}",
    ];
    ("[一-龥A-Za-z·]{1,10}", phone).prop_map(|(name, phone)| Person { name, phone })
}

fn figure() -> impl Strategy<Value = Figure> {
    let measure = prop::sample::select(vec![
        HazardMeasure::Found,
        HazardMeasure::Rectified,
        HazardMeasure::Open,
        HazardMeasure::Overdue,
    ]);
    let graded = prop::sample::select(vec![HazardMeasure::Found, HazardMeasure::Rectified]);
    let campaign_measure = prop::sample::select(vec![
        HazardMeasure::Found,
        HazardMeasure::Rectified,
        HazardMeasure::Open,
    ]);
    prop_oneof![
        Just(Figure::Inspections {
            kind: None,
            campaign: None
        }),
        prop::sample::select(InspectionKind::ALL.to_vec()).prop_map(|k| Figure::Inspections {
            kind: Some(k),
            campaign: None
        }),
        (1i64..=i64::MAX).prop_map(|c| Figure::Inspections {
            kind: None,
            campaign: Some(c)
        }),
        Just(Figure::IllegalOperations),
        Just(Figure::InspectedOrgs),
        Just(Figure::MajorListed),
        measure.prop_map(|m| Figure::Hazards {
            measure: m,
            grade: None,
            campaign: None
        }),
        (graded, prop::sample::select(HazardGrade::ALL.to_vec())).prop_map(|(m, g)| {
            Figure::Hazards {
                measure: m,
                grade: Some(g),
                campaign: None,
            }
        }),
        (campaign_measure, 1i64..=i64::MAX).prop_map(|(m, c)| Figure::Hazards {
            measure: m,
            grade: None,
            campaign: Some(c)
        }),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn an_instant_reads_back_from_every_spelling_of_it(t in instant()) {
        let local = t.with_timezone(&shanghai());
        prop_assert_eq!(parse_instant(&local.format("%Y-%m-%d %H:%M:%S").to_string()), Some(t));
        prop_assert_eq!(parse_instant(&format!(" {} ", local.format("%Y/%m/%d %H:%M:%S"))), Some(t));
        prop_assert_eq!(parse_instant(&t.to_rfc3339()), Some(t));
        let minute = t - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&t)));
        let form = minute.with_timezone(&shanghai()).format("%Y-%m-%dT%H:%M").to_string();
        prop_assert_eq!(parse_instant(&form), Some(minute));
    }

    /// RFC 3339 has four-digit years; the parser also reads chrono's longer ones (`+262142-…`),
    /// which its callers refuse as outside the business years, so those are not written back.
    #[test]
    fn an_instant_read_from_any_text_reads_back_from_rfc3339(s in hostile()) {
        if let Some(t) = parse_instant(&s) {
            if (0..=9999).contains(&chrono::Datelike::year(&t)) {
                prop_assert_eq!(parse_instant(&t.to_rfc3339()), Some(t));
            }
        }
    }

    #[test]
    fn people_print_and_read_back(people in prop::collection::vec(person(), 0..8)) {
        prop_assert_eq!(parse_people(&people_text(&people)), Ok(people.clone()));
        for p in &people {
            prop_assert!(p.phone.is_empty() || valid_phone(&p.phone), "{:?}", p);
        }
    }

    #[test]
    fn people_read_from_any_text_print_back(s in hostile()) {
        match parse_people(&s) {
            Ok(people) => {
                for p in &people {
                    prop_assert!(!p.name.is_empty() && p.name.chars().count() <= 30);
                    prop_assert!(p.phone.is_empty() || valid_phone(&p.phone));
                }
                prop_assert_eq!(parse_people(&people_text(&people)), Ok(people));
            }
            Err(m) => prop_assert!(m.starts_with('第') && has_chinese(&m), "{m:?}"),
        }
    }

    /// A phone is 5 to 20 digits with "-" and "+" anywhere, and nothing else.
    #[test]
    fn phones_are_digits_dashes_and_pluses(s in hostile()) {
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let expected = (5..=20).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+');
        prop_assert_eq!(valid_phone(&s), expected);
    }

    #[test]
    fn closed_lists_read_their_spellings_only(pad in "[ \t\u{3000}]{0,2}", s in hostile()) {
        for (code, label) in anjian_db::campaign::KINDS {
            prop_assert_eq!(parse_kind(&format!("{pad}{code}{pad}")), Some(code));
            prop_assert_eq!(parse_kind(&format!("{pad}{label}{pad}")), Some(code));
        }
        if let Some(code) = parse_kind(&s) {
            let spelled = anjian_db::campaign::KINDS.iter().any(|(c, l)| *c == code && (*c == s.trim() || *l == s.trim()));
            prop_assert!(spelled, "{:?}", s);
        }
        for r in ItemResult::ALL {
            prop_assert_eq!(parse_result(&format!("{pad}{}{pad}", r.code())), Some(r));
            prop_assert_eq!(parse_result(&format!("{pad}{}{pad}", r.label())), Some(r));
        }
        if let Some(r) = parse_result(&s) {
            prop_assert!(s.trim() == r.code() || s.trim() == r.label(), "{:?}", s);
        }
        for k in [TodoKind::Rectify, TodoKind::Verify, TodoKind::Extension] {
            prop_assert_eq!(TodoKind::from_code(k.code()), Some(k));
        }
        if let Some(k) = TodoKind::from_code(&s) {
            prop_assert_eq!(k.code(), s.as_str());
        }
    }

    #[test]
    fn every_figure_code_reads_back(f in figure()) {
        prop_assert_eq!(Figure::parse(&f.code()), Some(f));
        prop_assert_eq!(Figure::parse(&format!(" {} ", f.code())), Some(f));
        prop_assert!(has_chinese(&f.label()));
    }

    #[test]
    fn a_figure_read_from_any_text_prints_a_code_that_reads_back(s in hostile()) {
        if let Some(f) = Figure::parse(&s) {
            prop_assert_eq!(Figure::parse(&f.code()), Some(f));
        }
    }
}

/// Whether `text LIKE pattern ESCAPE '\'` holds in the database.
async fn like(db: &Db, text: &str, pattern: &str) -> bool {
    let (hit,): (String,) = db
        .fetch_one(
            &Q::new("SELECT CASE WHEN $1 LIKE $2 ESCAPE '\\' THEN 'y' ELSE 'n' END")
                .bind(text)
                .bind(pattern),
        )
        .await
        .expect("like");
    hit == "y"
}

/// The keyword search of every list: `like_pattern(k)` matches a text exactly when the text
/// contains `k`. SQLite's LIKE ignores the case of ASCII letters and PostgreSQL's does not, so
/// the expectation follows the backend.
#[test]
fn a_keyword_matches_exactly_the_texts_that_contain_it() {
    let rt = runtime();
    let app = rt.block_on(TestApp::new());
    let pg = app.is_postgres();
    let text = prop_oneof!["[a-cA-C%_\\\\一二]{0,8}", "\\PC{0,12}"];
    let keyword = prop_oneof!["[a-cA-C%_\\\\一二]{1,3}", "\\PC{1,4}"];
    check(256, (text, keyword), |(text, keyword): (String, String)| {
        let k = keyword.trim();
        prop_assume!(!k.is_empty());
        let expected = if pg {
            text.contains(k)
        } else {
            text.to_ascii_lowercase().contains(&k.to_ascii_lowercase())
        };
        let got = rt.block_on(like(&app.db, &text, &like_pattern(k)));
        prop_assert_eq!(got, expected, "{:?} in {:?}", k, text);
        Ok(())
    });
}
