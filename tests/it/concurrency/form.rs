//! A browser's view of a rendered form: the fields it would submit (hidden inputs, text, the
//! selected option, checked boxes, textareas) read from our own templates' HTML, so the sweep
//! posts back exactly what a user with that page open would post, stale version included.

use axum::body::Body;
use axum::http::{header, Method, Request};

use anjian_testkit::{Login, Resp, TestApp};

#[derive(Debug, Clone)]
pub struct Form {
    /// As written in the page, query string (the CSRF token of multipart forms) included.
    pub action: String,
    pub multipart: bool,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// Every form of a page.
    pub fn all(html: &str) -> Vec<Form> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find("<form") {
            let after = &rest[start + "<form".len()..];
            let Some((attrs, body_start)) = tag_attrs(after) else {
                break;
            };
            let body = &after[body_start..];
            let end = body.find("</form>").unwrap_or(body.len());
            let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            out.push(Form {
                action: attr("action").unwrap_or_default(),
                multipart: attr("enctype").is_some_and(|e| e.contains("multipart")),
                fields: controls(&body[..end]),
            });
            rest = &body[end..];
        }
        out
    }

    /// The form posting to `path` (query ignored), the one holding `pick` when several do (the
    /// calendar has one per entry). Panics with the page's forms listed when there is none.
    pub fn find(html: &str, path: &str, pick: Option<(&str, &str)>) -> Form {
        let forms = Form::all(html);
        forms
            .iter()
            .find(|f| {
                f.path() == path && pick.is_none_or(|(k, v)| f.get(k).is_some_and(|x| x == v))
            })
            .cloned()
            .unwrap_or_else(|| {
                let seen: Vec<&str> = forms.iter().map(|f| f.action.as_str()).collect();
                panic!("no form posting to {path} (holding {pick:?}); the page has {seen:?}")
            })
    }

    pub fn path(&self) -> &str {
        self.action.split('?').next().unwrap_or("")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a field as a user typing into it would (the first field of that name).
    pub fn set(&mut self, name: &str, value: &str) {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(f) => f.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
    }

    /// Posts the form as the browser would: urlencoded, or multipart with the CSRF token in the
    /// action's query (which our multipart forms carry).
    pub async fn submit(&self, app: &TestApp, who: &Login) -> Resp {
        let pairs: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if !self.multipart {
            return app
                .page(Method::POST, &self.action, Some(who), &pairs)
                .await;
        }
        let boundary = "----anjianConcurrencySweep";
        let mut body = String::new();
        for (k, v) in &pairs {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let req = Request::post(&self.action)
            .header(header::COOKIE, format!("anjian_session={}", who.cookie))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
        app.send(req).await
    }
}

/// The attributes of a tag whose name was just read, and where its content starts. Quoted
/// values may hold `>` (confirmation texts do).
fn tag_attrs(s: &str) -> Option<(Vec<(String, String)>, usize)> {
    let b: Vec<char> = s.chars().collect();
    let mut attrs = Vec::new();
    let mut i = 0;
    let mut bytes = 0;
    let step = |i: &mut usize, bytes: &mut usize| {
        *bytes += b[*i].len_utf8();
        *i += 1;
    };
    loop {
        while i < b.len() && b[i].is_whitespace() {
            step(&mut i, &mut bytes);
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == '>' {
            step(&mut i, &mut bytes);
            return Some((attrs, bytes));
        }
        if b[i] == '/' {
            step(&mut i, &mut bytes);
            continue;
        }
        let mut name = String::new();
        while i < b.len() && !b[i].is_whitespace() && !matches!(b[i], '=' | '>' | '/') {
            name.push(b[i]);
            step(&mut i, &mut bytes);
        }
        let mut value = String::new();
        if i < b.len() && b[i] == '=' {
            step(&mut i, &mut bytes);
            if i < b.len() && (b[i] == '"' || b[i] == '\'') {
                let q = b[i];
                step(&mut i, &mut bytes);
                while i < b.len() && b[i] != q {
                    value.push(b[i]);
                    step(&mut i, &mut bytes);
                }
                if i < b.len() {
                    step(&mut i, &mut bytes);
                }
            } else {
                while i < b.len() && !b[i].is_whitespace() && b[i] != '>' {
                    value.push(b[i]);
                    step(&mut i, &mut bytes);
                }
            }
        }
        attrs.push((name.to_ascii_lowercase(), unescape(&value)));
    }
}

/// The successful controls of a form's body, in document order.
fn controls(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let tag = rest[..name_len].to_ascii_lowercase();
        if !matches!(tag.as_str(), "input" | "select" | "textarea") {
            continue;
        }
        let Some((attrs, content)) = tag_attrs(&rest[name_len..]) else {
            break;
        };
        rest = &rest[name_len + content..];
        let has = |n: &str| attrs.iter().any(|(k, _)| k == n);
        let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let Some(name) = attr("name").filter(|n| !n.is_empty()) else {
            continue;
        };
        if has("disabled") {
            continue;
        }
        match tag.as_str() {
            "input" => {
                let kind = attr("type").unwrap_or_else(|| "text".into());
                match kind.as_str() {
                    "submit" | "button" | "reset" | "image" | "file" => {}
                    "checkbox" | "radio" => {
                        if has("checked") {
                            out.push((name, attr("value").unwrap_or_else(|| "on".into())));
                        }
                    }
                    _ => out.push((name, attr("value").unwrap_or_default())),
                }
            }
            "textarea" => {
                let end = rest.find("</textarea>").unwrap_or(rest.len());
                out.push((name, unescape(&rest[..end])));
                rest = &rest[end..];
            }
            _ => {
                let end = rest.find("</select>").unwrap_or(rest.len());
                let options = options(&rest[..end]);
                rest = &rest[end..];
                let selected: Vec<&(String, bool)> = options.iter().filter(|o| o.1).collect();
                if has("multiple") {
                    out.extend(selected.iter().map(|o| (name.clone(), o.0.clone())));
                } else if let Some(o) = selected.first().copied().or(options.first()) {
                    out.push((name, o.0.clone()));
                }
            }
        }
    }
    out
}

/// (value, selected) of each option of a select.
fn options(body: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("<option") {
        rest = &rest[at + "<option".len()..];
        let Some((attrs, content)) = tag_attrs(rest) else {
            break;
        };
        rest = &rest[content..];
        let label_end = rest.find('<').unwrap_or(rest.len());
        let value = attrs
            .iter()
            .find(|(k, _)| k == "value")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| unescape(rest[..label_end].trim()));
        out.push((value, attrs.iter().any(|(k, _)| k == "selected")));
    }
    out
}

/// The entities our templates write (askama escapes `& < > " '`), plus numeric ones.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|i| *i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn reads_what_a_browser_would_submit() {
    let html = r#"<p>x</p><form method="post" action="/things/3?csrf_token=t" enctype="multipart/form-data" data-confirm="a > b">
      <input type="hidden" name="csrf_token" value="tok"><input type="hidden" name="row_version" value="4">
      <label>名称<input name="name" value="&lt;甲&gt; &amp; &#x27;乙&#x27;" required></label>
      <input name="off" value="1" disabled><input type="checkbox" name="a" value="1" checked>
      <input type="checkbox" name="b" value="1"><input type="radio" name="k" value="x"><input type="radio" name="k" value="y" checked>
      <select name="s"><option value="">请选择</option><option value="2" selected>二</option></select>
      <select name="t"><option>第一</option><option>第二</option></select>
      <textarea name="note" rows="2">第一行
&quot;第二行&quot;</textarea><button type="submit" name="go" value="1">保存</button>
    </form><form method="post" action="/other"><input name="id" value="9"></form>"#;
    let f = Form::find(html, "/things/3", None);
    assert!(f.multipart);
    assert_eq!(f.action, "/things/3?csrf_token=t");
    let want: Vec<(String, String)> = [
        ("csrf_token", "tok"),
        ("row_version", "4"),
        ("name", "<甲> & '乙'"),
        ("a", "1"),
        ("k", "y"),
        ("s", "2"),
        ("t", "第一"),
        ("note", "第一行\n\"第二行\""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(f.fields, want);
    assert_eq!(
        Form::find(html, "/other", Some(("id", "9"))).get("id"),
        Some("9")
    );
    assert_eq!(Form::all(html).len(), 2);
}
