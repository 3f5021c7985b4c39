"""Build the importer test cases in this folder (deterministic, synthetic values).

Every case is written from one "truth": :func:`truth_kwh`, the energy of each UTC quarter-hour, a
function of the instant that changes from one hour to the next, so a file read one hour off (a DST
mistake) cannot match. The tests compare what the readers return with the truth.

Run: ``.venv/bin/python tests/data/io_cases/make_cases.py``
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TZ = "Europe/Rome"
Q = 900


def truth_kwh(start_s: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """kWh of the quarter-hour starting at each UTC epoch second (3 decimals, like real exports)."""
    start_s = np.asarray(start_s, dtype="int64")
    local = pd.DatetimeIndex(start_s.astype("datetime64[s]")).tz_localize("UTC").tz_convert(TZ)
    h = local.hour.to_numpy() + local.minute.to_numpy() / 60
    day = 0.08 + 0.12 * np.clip(np.sin((h - 6) / 16 * np.pi), 0, None) + 0.1 * ((h >= 19) & (h < 22))
    wiggle = 0.004 * ((start_s // Q) % 13) + 0.02 * ((start_s // 3600) % 5)
    return np.round(scale * (day + wiggle), 3)


def quarters(first_day: str, last_day: str) -> np.ndarray:
    """UTC epoch seconds of every quarter-hour from local midnight of ``first_day`` to the end of ``last_day``."""
    a = pd.Timestamp(first_day, tz=TZ).tz_convert("UTC")
    b = (pd.Timestamp(last_day) + pd.Timedelta(days=1)).tz_localize(TZ).tz_convert("UTC")
    return (pd.date_range(a, b, freq="15min", inclusive="left").as_unit("s").asi8).astype("int64")


def local_of(s: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(s).astype("datetime64[s]")).tz_localize("UTC").tz_convert(TZ)


def it(x: float, decimals: int = 3) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


LABELS = [f"{m // 60:02d}:{m % 60:02d}-{(m + 15) // 60:02d}:{(m + 15) % 60:02d}" for m in range(0, 1440, 15)]


def _day_rows(first: str, last: str, scale: float = 1.0):
    """(date, [(clock minute, kWh)], day hours) per local day, 02:xx twice on the October day."""
    s = quarters(first, last)
    v = truth_kwh(s, scale)
    loc = local_of(s)
    out = []
    for d, idx in pd.Series(range(len(s))).groupby(loc.date):
        idx = idx.to_numpy()
        clock = loc.hour.to_numpy()[idx] * 60 + loc.minute.to_numpy()[idx]
        out.append((d, list(zip(clock, v[idx])), len(idx) // 4))
    return out


def wide_csv(first: str, last: str, variant: str, scale: float = 1.0) -> str:
    """e-distribuzione wide file; variant: sum (96, October 02:xx summed), cols100, extra_row, zeros, positional."""
    header = ["Giorno"] + LABELS[:]
    rep_pos = 12  # repeated columns after 02:45-03:00
    if variant == "cols100":
        header = header[:1 + rep_pos] + [lab + "*" for lab in LABELS[8:12]] + header[1 + rep_pos:]
    lines = [";".join(header)]
    for d, vals, hours in _day_rows(first, last, scale):
        date = d.strftime("%d/%m/%Y")
        cells = {}
        second = {}
        for clock, v in vals:
            if clock in cells:
                second[clock] = v
            else:
                cells[clock] = v
        row = [it(cells[m]) if m in cells else "" for m in range(0, 1440, 15)]
        if hours == 23 and variant == "zeros":
            row[8:12] = ["0,000"] * 4
        if hours == 23 and variant == "positional":
            ordered = [it(v) for _, v in vals]
            row = ordered + [""] * 4
        extra = None
        if hours == 25:
            if variant == "sum":
                row[8:12] = [it(cells[m] + second[m]) for m in range(120, 180, 15)]
            elif variant == "extra_row":
                extra = [""] * 8 + [it(second[m]) for m in range(120, 180, 15)] + [""] * 84
        if variant == "cols100":
            rep = [it(second[m]) for m in range(120, 180, 15)] if hours == 25 else [""] * 4
            row = row[:rep_pos] + rep + row[rep_pos:]
        lines.append(";".join([date] + row))
        if extra is not None:
            lines.append(";".join([date] + extra))
    return "\r\n".join(lines) + "\r\n"


def wide_hourly_csv(first: str, last: str) -> str:
    """Hourly wide variant: 24 columns, March 02:00 empty, October 02:00 holding both hours."""
    header = ["Giorno"] + [f"{h:02d}:00-{h + 1:02d}:00" for h in range(24)]
    lines = [";".join(header)]
    for d, vals, hours in _day_rows(first, last):
        sums: dict[int, float] = {}
        for clock, v in vals:
            sums[clock // 60] = sums.get(clock // 60, 0.0) + v
        row = [it(sums[h]) if h in sums else "" for h in range(24)]
        lines.append(";".join([d.strftime("%d/%m/%Y")] + row))
    return "\n".join(lines) + "\n"


def pcf_csv(first: str, last: str, pods=("IT012E90000456",), excel=False, estimated_every=0) -> str:
    head = ("POD;DATA;ORA;FL_ORA_LEGALE;ATTIVA_PRELEVATA;ATTIVA_IMMESSA;REATTIVA_CAPACITIVA_IMMESSA;"
            "REATTIVA_CAPACITIVA_PRELEVATA;REATTIVA_INDUTTIVA_IMMESSA;REATTIVA_INDUTTIVA_PRELEVATA;PICCO_PRELEVATA;"
            "CONSUMO_PICCO_IMMESSA;TIPO_DATO")
    lines = [head + ("" if excel else ";")]
    s = quarters(first, last)
    loc = local_of(s)
    for k, pod in enumerate(pods):
        v = truth_kwh(s, 1.0 + k)
        e = truth_kwh(s + 7 * 3600, 0.5) * (loc.hour.to_numpy() % 24 > 9) * (loc.hour.to_numpy() < 17)
        for i in range(len(s)):
            t = loc[i]
            flag = 2 if t.utcoffset() == dt.timedelta(hours=2) else 1
            ora = t.strftime("%H%M%S")
            data = t.strftime("%Y%m%d")
            if excel:
                ora = str(int(ora))
            kind = "S" if estimated_every and i % estimated_every == 0 else "E"
            lines.append(";".join([pod, data, ora, str(flag), it(v[i]), it(e[i]), "", "", "", "0,005", "0,400", "",
                                   kind]) + ("" if excel else ";"))
            if t.month == 3 and t.day == 31 and t.hour == 1 and t.minute == 45:
                for mm in ("020000", "021500", "023000", "024500"):  # the placeholder rows of the spring day
                    lines.append(";".join([pod, data, mm if not excel else str(int(mm)), "2", "0,000", "0,000", "", "",
                                           "", "", "", "", "E"]) + ("" if excel else ";"))
    return "\r\n".join(lines) + "\r\n"


def chain2_frames(first_utc: str, last_utc: str, start_wh: int = 8_400_000):
    """(end epoch, total Wh, prev-quarter Wh) of CF1 frames every quarter, from the truth."""
    ends = pd.date_range(first_utc, last_utc, freq="15min", tz="UTC").as_unit("s").asi8.astype("int64")
    wh = np.round(truth_kwh(ends - Q) * 1000).astype(int)
    total = start_wh + np.cumsum(wh)
    return ends, total, wh


def chain2gate_jsonl(first_utc: str, last_utc: str, drop=(), duplicate=(), reset_at=None, truncated=True) -> str:
    ends, total, wh = chain2_frames(first_utc, last_utc)
    lines = [json.dumps({"Chain2Info": {"Id": "c2g-TEST", "Ip": "192.168.1.50", "ProgId": "SYN-1.0",
                                        "CFcountFromBoot": 0}})]
    offset = 0
    for i, (e, t, w) in enumerate(zip(ends, total, wh)):
        if reset_at is not None and i == reset_at:
            offset = -int(t) + int(w)  # the new meter starts from its first quarter's energy
        if i in drop:
            continue
        frame = {"Chain2Data": {"Meter": "C2G-TEST-000001", "Type": "CF1", "Payload": {
            "MessagePosixTimestamp": int(e) + 2, "MeasurePosixTimestamp": int(e), "TariffCode": 3,
            "TotalActEnergy": int(t) + offset, "PrevQuartActEnergy": int(w), "CurrQuartActEnergy": 1,
            "QuartAveragePower": int(w) * 4, "InstantPower": int(w) * 4}}}
        lines.append(json.dumps(frame, separators=(",", ":")))
        if i in duplicate:
            lines.append(json.dumps(frame, separators=(",", ":")))
        if i % 20 == 5:
            lines.append(json.dumps({"Chain2Data": {"Meter": "C2G-TEST-000001", "Type": "CF21", "Payload": {
                "MessagePosixTimestamp": int(e) + 400, "EventType": 1, "EventPosixTimestamp": int(e) + 399,
                "EventsCounter": i, "InstantPower": 900, "ProdInstantPower": 0, "Gap": 0}}}, separators=(",", ":")))
    text = "\n".join(lines) + "\n"
    if truncated:
        text += '{"Chain2Data":{"Meter":"C2G-TEST-000001","Type":"CF1","Payl'
    return text


def chain2_csv(first_utc: str, last_utc: str, drop=()) -> str:
    ends, total, wh = chain2_frames(first_utc, last_utc)
    out = ["interval_start_utc,interval_end_utc,meter_id,tariff_code,total_import_wh,quarter_import_wh"]
    for i, (e, t, w) in enumerate(zip(ends, total, wh)):
        if i in drop:
            continue
        a = pd.Timestamp(int(e) - Q, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        b = pd.Timestamp(int(e), unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(f"{a},{b},C2G-TEST-000001,3,{t},{w}")
    return "\n".join(out) + "\n"


def home_assistant_csv(first_utc: str, last_utc: str, power_only: bool = False) -> str:
    """HA history: the cumulative kWh counter sampled at every quarter boundary plus irregular points in
    between (on the straight line, so resampling is exact), 'unavailable' states, an export counter and a
    power sensor in W."""
    rng = np.random.default_rng(7)
    b = pd.date_range(first_utc, last_utc, freq="15min", tz="UTC").as_unit("s").asi8.astype("int64")
    q = truth_kwh(b[:-1])
    counter = 1234.5 + np.r_[0.0, np.cumsum(q)]
    rows = ["entity_id,state,last_changed"]

    def stamp(t: float) -> str:
        return pd.Timestamp(t, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    for i in range(len(b) - 1):
        pts = [b[i]] + sorted(rng.uniform(b[i] + 1, b[i + 1] - 1, 2).tolist())
        for t in pts:
            if not power_only:
                val = counter[i] + q[i] * (t - b[i]) / Q
                rows.append(f"sensor.contatore_energia_prelevata,{val:.6f},{stamp(t)}")
            rows.append(f"sensor.contatore_potenza_w,{q[i] * 4000:.1f},{stamp(t)}")
        if i % 37 == 3:
            rows.append(f"sensor.contatore_energia_prelevata,unavailable,{stamp(b[i] + 300.5)}")
        if not power_only and i % 4 == 0:
            rows.append(f"sensor.contatore_energia_immessa,{10 + i * 0.01:.3f},{stamp(b[i])}")
    if not power_only:
        rows.append(f"sensor.contatore_energia_prelevata,{counter[-1]:.6f},{stamp(b[-1])}")
    rows.append(f"sensor.contatore_potenza_w,0.0,{stamp(b[-1])}")
    return "\n".join(rows) + "\n"


def generic_hourly_naive(first: str, last: str) -> str:
    """Hourly, local time without offset, the October 02:00 hour written twice in order."""
    s = quarters(first, last)
    v = truth_kwh(s).reshape(-1, 4).sum(1)
    loc = local_of(s[::4])
    out = ["data_ora;energia_kwh"] + [f"{t:%d/%m/%Y %H:%M};{it(x)}" for t, x in zip(loc, v)]
    return "\n".join(out) + "\n"


def generic_kw_tab(first: str, last: str) -> bytes:
    """Quarter-hours of average power (kW), tab separated, Windows-1252, a title line before the header."""
    s = quarters(first, last)
    v = truth_kwh(s) * 4
    loc = local_of(s)
    out = ["Esportazione misure – impianto «Officina»", "Inizio\tPotenza media (kW)"]
    out += [f"{t:%Y-%m-%d %H:%M:%S}{t.strftime('%z')[:3]}:{t.strftime('%z')[3:]}\t{it(x)}" for t, x in zip(loc, v)]
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def generic_date_time_columns(first: str, last: str) -> str:
    s = quarters(first, last)
    v = truth_kwh(s)
    loc = local_of(s)
    out = ["data;ora;consumo_kwh"] + [f"{t:%d/%m/%Y};{t:%H:%M};{it(x)}" for t, x in zip(loc, v)]
    return "\n".join(out) + "\n"


def generic_halfhour_iso(first: str, last: str) -> str:
    s = quarters(first, last)
    v = truth_kwh(s).reshape(-1, 2).sum(1)
    loc = local_of(s[::2])
    out = ["timestamp,kwh_import"] + [t.isoformat() + "," + f"{x:.3f}" for t, x in zip(loc, v)]
    return "\n".join(out) + "\n"


def generic_hour_ordinal(first: str, last: str) -> str:
    """A date and the hour of the day counted 1..23/24/25 (the GME convention)."""
    s = quarters(first, last)
    v = truth_kwh(s).reshape(-1, 4).sum(1)
    loc = local_of(s[::4])
    out = ["data;ora;kwh"]
    prev, n = None, 0
    for t, x in zip(loc, v):
        n = n + 1 if t.date() == prev else 1
        prev = t.date()
        out.append(f"{t:%d/%m/%Y};{n};{it(x)}")
    return "\n".join(out) + "\n"


def to_xlsx(rows: list[list], serial_col: int | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def wide_rows_for_xlsx(text: str) -> list[list]:
    """The wide CSV as Excel would hold it: dates as dates, numbers as numbers."""
    rows = []
    for k, line in enumerate(text.strip().splitlines()):
        cells = line.split(";")
        if k == 0:
            rows.append(cells)
            continue
        d = dt.datetime.strptime(cells[0], "%d/%m/%Y")
        rows.append([d] + [float(c.replace(",", ".")) if c else None for c in cells[1:]])
    return rows


def bills_files() -> dict[str, str]:
    head = "pod;periodo_inizio;periodo_fine;f1_kwh;f23_kwh;totale_kwh;potenza_impegnata_kw;tipo_lettura"
    bimonthly = [head,
                 "IT001E00000042;01/01/2024;29/02/2024;180;310;490;3;effettiva",
                 "IT001E00000042;01/03/2024;30/04/2024;150;280;430;3;stimata",
                 "IT001E00000042;01/05/2024;30/06/2024;140;260;400;3;effettiva",
                 "IT001E00000042;01/07/2024;31/08/2024;190;330;520;3;effettiva",
                 "IT001E00000042;01/09/2024;31/10/2024;145;265;410;3;effettiva",
                 "IT001E00000042;01/11/2024;31/12/2024;175;315;490;3;effettiva"]
    head3 = "pod;periodo_inizio;periodo_fine;f1_kwh;f2_kwh;f3_kwh;totale_kwh;tipo_lettura;conguaglio"
    adjust = [head3,
              "IT001E00000042;01/01/2024;31/01/2024;100;80;90;270;stimata;no",
              "IT001E00000042;01/02/2024;29/02/2024;95;75;85;255;stimata;no",
              "IT001E00000042;01/03/2024;31/03/2024;90;70;80;240;effettiva;no",
              "IT001E00000042;01/01/2024;29/02/2024;-20;-6;4;-22;effettiva;sì"]
    overlap = [head3,
               "IT001E00000042;01/01/2024;31/01/2024;100;80;90;270;effettiva;no",
               "IT001E00000042;15/01/2024;14/02/2024;95;75;85;255;effettiva;no"]
    negative = [head3,
                "IT001E00000042;01/01/2024;31/01/2024;100;80;90;270;effettiva;no",
                "IT001E00000042;01/02/2024;29/02/2024;-15;75;85;145;effettiva;no"]
    grid = ["mese;f1_kwh;f2_kwh;f3_kwh"] + [
        f"{name} 2024;{100 + m};{80 + m};{90 + m}" for m, name in enumerate(
            ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
             "ottobre", "novembre", "dicembre"])]
    gap = [head3,
           "IT001E00000042;01/01/2024;31/01/2024;100;80;90;270;effettiva;no",
           "IT001E00000042;01/03/2024;31/03/2024;90;70;80;240;effettiva;no"]
    return {"bollette_bimestrali_f1_f23_2024.csv": "\n".join(bimonthly) + "\n",
            "bollette_conguaglio_2024.csv": "\n".join(adjust) + "\n",
            "bollette_sovrapposte.csv": "\n".join(overlap) + "\n",
            "bollette_negativo_senza_conguaglio.csv": "\n".join(negative) + "\n",
            "bollette_griglia_mesi_2024.csv": "\n".join(grid) + "\n",
            "bollette_con_lacuna_2024.csv": "\n".join(gap) + "\n"}


def main() -> None:
    out: dict[str, bytes | str] = {}
    # e-distribuzione, both clock changes, every plausible DST layout
    out["edis_wide_2024-10_100col.csv"] = wide_csv("2024-10-01", "2024-10-31", "cols100")
    out["edis_wide_2024-10_extra_row.csv"] = wide_csv("2024-10-01", "2024-10-31", "extra_row")
    out["edis_wide_2024-10_sum.csv"] = wide_csv("2024-10-01", "2024-10-31", "sum")
    out["edis_wide_2024-03_zeros.csv"] = wide_csv("2024-03-01", "2024-03-31", "zeros")
    out["edis_wide_2024-03_positional.csv"] = wide_csv("2024-03-01", "2024-03-31", "positional")
    out["edis_orario_2024-03.csv"] = wide_hourly_csv("2024-03-01", "2024-03-31")
    out["edis_orario_2024-10.csv"] = wide_hourly_csv("2024-10-01", "2024-10-31")
    out["edis_wide_2024-10_excel.xlsx"] = to_xlsx(wide_rows_for_xlsx(out["edis_wide_2024-10_100col.csv"]))
    resaved = wide_csv("2024-03-01", "2024-03-31", "sum").replace("\r\n", "\n").splitlines()
    resaved = ["Curva di carico – POD IT001E12345678;;;"] + [resaved[0]] + [
        ";".join([f"{int(c[0][:2])}/{int(c[0][3:5])}/{c[0][6:]}"] + c[1:]) for c in (r.split(";") for r in resaved[1:])]
    out["edis_wide_2024-03_excel_resaved.csv"] = ("\r\n".join(resaved) + "\r\n").encode("cp1252")
    months = {}
    for m, (a, b) in enumerate([("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-02-29"),
                                ("2024-03-01", "2024-03-31")], start=1):
        months[f"curva_2024-{m:02d}.csv"] = wide_csv(a, b, "sum")
    feb = months["curva_2024-02.csv"].split("\r\n")
    cells = feb[5].split(";")
    cells[40] = "9,999"  # a corrected value republished later (rettifica)
    feb[5] = ";".join(cells)
    months["curva_2024-02_rettifica.csv"] = "\r\n".join(feb)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("curva_2024-01.csv", "curva_2024-02.csv", "curva_2024-03.csv", "curva_2024-02_rettifica.csv"):
            zf.writestr(name, months[name])
        zf.writestr("__MACOSX/._curva_2024-01.csv", b"\x00\x05\x16\x07")
    out["edis_mensili_2024_q1.zip"] = buf.getvalue()
    # PCF
    out["pcf_2024-10_autunno.csv"] = pcf_csv("2024-10-01", "2024-10-31")
    out["pcf_2024-10_excel_resaved.csv"] = pcf_csv("2024-10-20", "2024-10-31", excel=True, estimated_every=50)
    out["pcf_2024-03_due_pod.csv"] = pcf_csv("2024-03-25", "2024-03-31", pods=("IT012E90000456", "IT012E90000789"))
    pcf_rows = [r.split(";") for r in pcf_csv("2024-03-28", "2024-04-02").strip().splitlines()]
    xl = [pcf_rows[0][:13]] + [[r[0], int(r[1]), int(r[2]), int(r[3]), float(r[4].replace(",", ".")),
                                float(r[5].replace(",", "."))] + [None] * 6 + [r[12]] for r in pcf_rows[1:]]
    out["pcf_2024-03_excel.xlsx"] = to_xlsx(xl)
    # Chain 2
    out["chain2gate_2024-10-26_dst.jsonl"] = chain2gate_jsonl("2024-10-26 00:15", "2024-10-28 00:00",
                                                              drop=(96, 97, 98), duplicate=(20,))
    out["chain2gate_2024-03-30_dst.jsonl"] = chain2gate_jsonl("2024-03-30 00:15", "2024-04-01 00:00",
                                                              drop=(100,), reset_at=150, truncated=False)
    out["chain2_csv_2024-10-26_dst.csv"] = chain2_csv("2024-10-26 00:15", "2024-10-28 00:00", drop=(96, 97))
    out["chain2_csv_2024-03-30_dst.csv"] = chain2_csv("2024-03-30 00:15", "2024-04-01 00:00")
    out["home_assistant_2024-10-26_dst.csv"] = home_assistant_csv("2024-10-26 00:00", "2024-10-28 00:00")
    out["home_assistant_2024-03-30_dst.csv"] = home_assistant_csv("2024-03-30 00:00", "2024-04-01 00:00")
    out["home_assistant_solo_potenza.csv"] = home_assistant_csv("2024-10-26 00:00", "2024-10-28 00:00", True)
    # generic
    out["generico_orario_2024-10_senza_fuso.csv"] = generic_hourly_naive("2024-10-20", "2024-10-31")
    out["generico_quartorario_2024-03_kw.csv"] = generic_kw_tab("2024-03-25", "2024-04-02")
    out["generico_data_e_ora_2024-10.csv"] = generic_date_time_columns("2024-10-25", "2024-10-29")
    out["generico_semiorario_2024-10.csv"] = generic_halfhour_iso("2024-10-25", "2024-10-29")
    out["generico_ora_1_25_2024-10.csv"] = generic_hour_ordinal("2024-10-25", "2024-10-29")
    s = quarters("2024-03-29", "2024-04-02")[::4]
    serial = [(pd.Timestamp(int(x), unit="s", tz="UTC").tz_convert(TZ).tz_localize(None) - pd.Timestamp("1899-12-30"))
              / pd.Timedelta(days=1) for x in s]
    xs = [["Data", "kWh"]] + [[serial[k], float(truth_kwh(s[k] + np.arange(4) * Q).sum())] for k in range(len(s))]
    out["generico_seriali_excel_2024-03.xlsx"] = to_xlsx(xs)
    # bills
    out.update(bills_files())
    # bad input
    out["male_vuoto.csv"] = b""
    out["male_binario.bin"] = bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8))
    out["male_bolletta.pdf"] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    out["male_formato_sbagliato.csv"] = "nome;cognome;citta\nMario;Rossi;Milano\nAnna;Bianchi;Roma\n"
    bad = pcf_csv("2024-10-01", "2024-10-05").split("\r\n")
    cells = bad[417].split(";")
    cells[4] = "12.5.3"
    bad[417] = ";".join(cells)
    out["male_testo_in_numero.csv"] = "\r\n".join(bad)
    w = wide_csv("2024-02-01", "2024-02-10", "sum").split("\r\n")
    w[5] = ";".join(w[5].split(";")[:-2])  # 05/02/2024 with 94 values
    out["male_giorno_94_valori.csv"] = "\r\n".join(w)
    g = generic_hourly_naive("2024-10-20", "2024-10-22").splitlines()
    g[10] = g[10].split(";")[0] + ";-0,500"
    out["male_consumo_negativo.csv"] = "\n".join(g) + "\n"
    out["male_kw_invece_di_kwh.csv"] = wide_csv("2024-02-01", "2024-02-29", "sum", scale=4.0)
    for name, data in out.items():
        (HERE / name).write_bytes(data.encode() if isinstance(data, str) else data)
    print(f"{len(out)} files written to {HERE}")


if __name__ == "__main__":
    main()
