//! RSS over time as a small SVG: one panel per phase, no plotting library needed.

use std::fmt::Write;
use std::path::Path;

use crate::record::Verdict;

const W: f64 = 640.0;
const H: f64 = 160.0;
const PAD: f64 = 40.0;

/// Write one panel per phase: the server's RSS (MB) against time (s), with the post-warm-up
/// level as a dashed line and the +tolerance ceiling as a dotted one.
pub fn svg(verdicts: &[Verdict], path: &Path) -> anyhow::Result<()> {
    let height = H * verdicts.len() as f64;
    let mut s = String::new();
    writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" font-family="sans-serif" font-size="11">"#
    )?;
    for (k, v) in verdicts.iter().enumerate() {
        let top = H * k as f64;
        let t_max = v.series.last().map_or(1.0, |p| p.0).max(1e-3);
        let ceiling = v.warm_rss as f64 * (1.0 + v.tolerance);
        let r_max = v.series.iter().map(|p| p.2 as f64).fold(ceiling, f64::max) * 1.05;
        let x = |t: f64| PAD + t / t_max * (W - 2.0 * PAD);
        let y = |kb: f64| top + H - PAD + 10.0 - kb / r_max * (H - PAD - 10.0);
        let points: Vec<String> = v.series.iter().map(|p| format!("{:.1},{:.1}", x(p.0), y(p.2 as f64))).collect();
        writeln!(
            s,
            r##"<text x="{PAD}" y="{:.0}">{}: server RSS (MB) over {:.0} s, {} calls, {} sessions; end/warm-up {:.3}</text>"##,
            top + 14.0,
            v.name,
            t_max,
            v.calls,
            v.sessions,
            v.ratio()
        )?;
        writeln!(
            s,
            r##"<line x1="{PAD}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#888"/><line x1="{PAD}" y1="{0:.1}" x2="{PAD}" y2="{2:.1}" stroke="#888"/>"##,
            y(0.0),
            W - PAD,
            top + 20.0
        )?;
        writeln!(s, r##"<text x="4" y="{:.1}">{:.1}</text>"##, y(r_max / 1.05) + 4.0, r_max / 1.05 / 1024.0)?;
        writeln!(s, r##"<text x="4" y="{:.1}">0</text>"##, y(0.0))?;
        for (level, dash) in [(v.warm_rss as f64, "6,3"), (ceiling, "2,3")] {
            writeln!(
                s,
                r##"<line x1="{PAD}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#c33" stroke-dasharray="{dash}"/>"##,
                y(level),
                W - PAD
            )?;
        }
        writeln!(s, r##"<polyline fill="none" stroke="#26a" stroke-width="1.5" points="{}"/>"##, points.join(" "))?;
    }
    s.push_str("</svg>\n");
    std::fs::write(path, s)?;
    Ok(())
}
