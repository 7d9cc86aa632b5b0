//! Reading JSON documents with the path of every value at hand, so that a
//! wrong value is reported where it is (`benchmarks[3].real_time`).

use super::PerfError;
use crate::model::Property;
use serde_json::Value;

/// The whole document; a syntax error names its line and column.
pub(crate) fn document(bytes: &[u8]) -> Result<Value, PerfError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| PerfError {
        message: format!("not valid JSON: {e}"),
        path: None,
        line: Some(e.line() as u64),
        column: Some(e.column() as u64),
    })
}

/// A value and where it is.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    pub v: &'a Value,
    pub path: &'a str,
}

/// An owned path, for values found under it.
pub(crate) struct Found<'a> {
    pub v: &'a Value,
    pub path: String,
}

impl<'a> Found<'a> {
    pub fn at(&self) -> At<'_> {
        At { v: self.v, path: &self.path }
    }
}

impl<'a> At<'a> {
    pub fn root(v: &'a Value) -> At<'a> {
        At { v, path: "" }
    }

    fn join(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    pub fn err(&self, message: impl Into<String>) -> PerfError {
        PerfError::at(if self.path.is_empty() { "(document)" } else { self.path }, message)
    }

    /// A member, if present and not null.
    pub fn get(&self, key: &str) -> Option<Found<'a>> {
        self.v.get(key).filter(|v| !v.is_null()).map(|v| Found { v, path: self.join(key) })
    }

    pub fn need(&self, key: &str) -> Result<Found<'a>, PerfError> {
        self.get(key).ok_or_else(|| PerfError::at(&self.join(key), "missing"))
    }

    pub fn items(&self) -> Result<Vec<Found<'a>>, PerfError> {
        let a = self.v.as_array().ok_or_else(|| self.err("expected an array"))?;
        Ok(a.iter().enumerate().map(|(i, v)| Found { v, path: format!("{}[{i}]", self.path) }).collect())
    }

    pub fn entries(&self) -> Result<Vec<(&'a str, Found<'a>)>, PerfError> {
        let o = self.v.as_object().ok_or_else(|| self.err("expected an object"))?;
        Ok(o.iter().map(|(k, v)| (k.as_str(), Found { v, path: self.join(k) })).collect())
    }

    pub fn str(&self) -> Result<&'a str, PerfError> {
        self.v.as_str().ok_or_else(|| self.err("expected a string"))
    }

    pub fn num(&self) -> Result<f64, PerfError> {
        self.v.as_f64().ok_or_else(|| self.err("expected a number"))
    }

    /// A string member, if present.
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, PerfError> {
        self.get(key).map(|f| f.at().str().map(str::to_owned)).transpose()
    }

    /// A numeric member, if present.
    pub fn opt_num(&self, key: &str) -> Result<Option<f64>, PerfError> {
        self.get(key).map(|f| f.at().num()).transpose()
    }

    pub fn need_str(&self, key: &str) -> Result<&'a str, PerfError> {
        let f = self.need(key)?;
        f.v.as_str().ok_or_else(|| PerfError::at(&f.path, "expected a string"))
    }

    pub fn need_num(&self, key: &str) -> Result<f64, PerfError> {
        let f = self.need(key)?;
        f.v.as_f64().ok_or_else(|| PerfError::at(&f.path, "expected a number"))
    }

    /// An array of numbers.
    pub fn numbers(&self) -> Result<Vec<f64>, PerfError> {
        self.items()?.iter().map(|f| f.at().num()).collect()
    }

    pub fn opt_numbers(&self, key: &str) -> Result<Vec<f64>, PerfError> {
        Ok(self.get(key).map(|f| f.at().numbers()).transpose()?.unwrap_or_default())
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, PerfError> {
        self.get(key).map(|f| f.v.as_bool().ok_or_else(|| PerfError::at(&f.path, "expected true or false"))).transpose()
    }
}

/// A JSON scalar as text (strings as they are, others as JSON).
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An object of scalars as properties, in key order.
pub(crate) fn properties(at: Option<Found<'_>>) -> Result<Vec<Property>, PerfError> {
    let Some(f) = at else { return Ok(Vec::new()) };
    let a = f.at();
    let mut out: Vec<Property> = a
        .entries()?
        .into_iter()
        .filter(|(_, v)| !v.v.is_null())
        .map(|(k, v)| Property { name: k.to_owned(), value: scalar_text(v.v) })
        .collect();
    out.sort_by(|x, y| x.name.cmp(&y.name));
    Ok(out)
}
