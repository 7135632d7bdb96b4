package main

import (
	"github.com/mako-engine/mako/pkg/ahb/model"
)

// handwritten returns the APERAK and CONTRL data of a format version, written
// by hand from the AHB text restated in shared/reference/edifact.md (APERAK:
// §11.4, AHB 1.1 draft for FV2610 and MIG 2.1i for FV2604; CONTRL: §10.2,
// MIG 2.0b / AHB 1.0). The source's APERAK tables are unusable (FV2610 has no
// status expressions, FV2604 merges the 312 and 313 columns).
//
// Only what the text states is "Muss"; everything it leaves open is "Kann",
// so that the validator reports no violation the AHB text does not support.
// The pseudo-PIDs name the AHB columns: APERAK "312"/"313" (BGM 1001),
// CONTRL "7" (Empfangsbestätigung, UCI 0083 = 7), "4-UCI" (Syntaxfehler in
// der Übertragungsdatei) and "4-UCM" (Syntaxfehler in der Nachricht).
func handwritten(fv string) []*model.File {
	return []*model.File{aperak(fv), contrl(fv)}
}

func de(id string, pos, sub int, expr string, codes ...string) model.LineElement {
	e := model.LineElement{ID: id, Pos: pos, Sub: sub, Expr: expr}
	for _, c := range codes {
		e.Codes = append(e.Codes, [2]string{c, "X"})
	}
	return e
}

func line(group, seg, expr, groupExpr, section string, des ...model.LineElement) model.Line {
	return model.Line{Group: group, Seg: seg, Expr: expr, GroupExpr: groupExpr, Section: section, Elements: des}
}

func unh(typ, release, version string) model.Line {
	return line("", "UNH", "Muss", "", "Nachrichten-Kopfsegment",
		de("0062", 0, 0, "X"), de("0065", 1, 0, "X", typ), de("0052", 1, 1, "X", "D"),
		de("0054", 1, 2, "X", release), de("0051", 1, 3, "X", "UN"), de("0057", 1, 4, "X", version))
}

func unt() model.Line {
	return line("", "UNT", "Muss", "", "Nachrichten-Endesegment", de("0074", 0, 0, "X"), de("0062", 1, 0, "X"))
}

func aperak(fv string) *model.File {
	version := "2.2"
	if fv == "FV2604" {
		version = "2.1i"
	}
	f := &model.File{
		FV: fv, Type: "APERAK", Version: version,
		Sources: []string{"hand-written from shared/reference/edifact.md §11.4 (APERAK AHB 1.1 draft / MIG 2.2; FV2604: MIG 2.1i)"},
		MIG: model.MIG{
			Root:        []string{"UNH", "BGM", "DTM", "SG2", "SG3", "SG4", "UNT"},
			RootOrdered: true,
			Groups: []model.Group{
				{ID: "SG2", Trigger: "RFF", Items: []string{"RFF", "DTM"}, Ordered: true, Origin: "APERAK MIG (edifact.md §11.4)"},
				{ID: "SG3", Trigger: "NAD", Items: []string{"NAD"}, Ordered: true, Origin: "APERAK MIG (edifact.md §11.4)"},
				{ID: "SG4", Trigger: "ERC", Items: []string{"ERC", "FTX", "SG5"}, Ordered: true, Origin: "APERAK MIG (edifact.md §11.4)"},
				{ID: "SG5", Parent: "SG4", Trigger: "RFF", Items: []string{"RFF", "FTX"}, Ordered: true, Origin: "APERAK MIG (edifact.md §11.4)"},
			},
			Segments: []model.Layout{
				{Tag: "BGM", Elements: []model.Element{{ID: "1001", Pos: 0, Sub: 0, Format: "an..3"}, {ID: "1004", Pos: 1, Sub: 0, Format: "an..35"}}},
				{Tag: "DTM", Elements: []model.Element{{ID: "2005", Pos: 0, Sub: 0, Format: "an..3"}, {ID: "2380", Pos: 0, Sub: 1, Format: "an..35"}, {ID: "2379", Pos: 0, Sub: 2, Format: "an..3"}}},
				{Tag: "ERC", Elements: []model.Element{{ID: "9321", Pos: 0, Sub: 0, Format: "an..8"}}},
				{Tag: "FTX", Elements: []model.Element{{ID: "4451", Pos: 0, Sub: 0, Format: "an..3"}, {ID: "4440", Pos: 3, Sub: 0, Format: "an..512"}}},
				{Tag: "NAD", Elements: []model.Element{{ID: "3035", Pos: 0, Sub: 0, Format: "an..3"}, {ID: "3039", Pos: 1, Sub: 0, Format: "an..35"}, {ID: "3055", Pos: 1, Sub: 2, Format: "an..3"}}},
				{Tag: "RFF", Elements: []model.Element{{ID: "1153", Pos: 0, Sub: 0, Format: "an..3"}, {ID: "1154", Pos: 0, Sub: 1, Format: "an..70"}}},
			},
		},
	}
	if fv == "FV2604" {
		f.MIG.Groups[1].Items = []string{"NAD", "CTA", "COM"}
		f.MIG.Segments = append(f.MIG.Segments,
			model.Layout{Tag: "COM", Elements: []model.Element{{ID: "3148", Pos: 0, Sub: 0, Format: "an..512"}, {ID: "3155", Pos: 0, Sub: 1, Format: "an..3"}}},
			model.Layout{Tag: "CTA", Elements: []model.Element{{ID: "3139", Pos: 0, Sub: 0, Format: "an..3"}, {ID: "3412", Pos: 1, Sub: 1, Format: "an..256"}}})
	}
	for _, bgm := range []struct{ code, name string }{{"312", "Anerkennungsmeldung"}, {"313", "Fehlermeldung"}} {
		p := model.PID{ID: bgm.code, Name: "APERAK " + bgm.name}
		p.Lines = append(p.Lines,
			unh("APERAK", "07B", version),
			line("", "BGM", "Muss", "", "Beginn der Nachricht", de("1001", 0, 0, "X", bgm.code), de("1004", 1, 0, "X")),
			line("", "DTM", "Muss", "", "Nachrichtendatum", de("2005", 0, 0, "X", "137"), de("2380", 0, 1, "X"), de("2379", 0, 2, "X", "303")),
			line("SG2", "RFF", "Muss", "Muss", "Referenz auf die Übertragungsdatei (DAR)", de("1153", 0, 0, "X", "ACE"), de("1154", 0, 1, "X")),
			line("SG2", "DTM", "Kann", "", "Referenzdatum", de("2005", 0, 0, "X", "171"), de("2380", 0, 1, "X"), de("2379", 0, 2, "X", "303")),
			line("SG2", "RFF", "Muss", "Muss", "Referenz auf die Nachricht (BGM 1004)", de("1153", 0, 0, "X", "AGO"), de("1154", 0, 1, "X")),
			line("SG2", "RFF", "Muss", "Soll", "Referenz auf den Vorgang (IDE 7402)", de("1153", 0, 0, "X", "TN"), de("1154", 0, 1, "X")),
			line("SG3", "NAD", "Muss", "Muss", "MP-ID Absender", de("3035", 0, 0, "X", "MS"), de("3039", 1, 0, "X"), de("3055", 1, 2, "X", "9", "293", "332")),
		)
		if fv == "FV2604" {
			p.Lines = append(p.Lines,
				line("SG3", "CTA", "Kann", "", "Ansprechpartner", de("3139", 0, 0, "X", "IC")),
				line("SG3", "COM", "Kann", "", "Kommunikationsverbindung", de("3148", 0, 0, "X"), de("3155", 0, 1, "X", "EM", "FX", "TE", "AJ", "AL")))
		}
		p.Lines = append(p.Lines,
			line("SG3", "NAD", "Muss", "Muss", "MP-ID Empfänger", de("3035", 0, 0, "X", "MR"), de("3039", 1, 0, "X"), de("3055", 1, 2, "X", "9", "293", "332")))
		if bgm.code == "313" {
			ercs := []string{"Z10", "Z14", "Z15", "Z16", "Z17", "Z18", "Z19", "Z20", "Z21", "Z24", "Z25", "Z26", "Z27", "Z29", "Z30", "Z31", "Z33", "Z34", "Z35", "Z37", "Z38", "Z39", "Z40", "Z41", "Z42", "Z43", "Z44"}
			sg5 := []string{"AGO", "TN", "Z08"}
			if fv == "FV2604" {
				sg5 = []string{"ACW", "AGO", "TN", "Z08"}
			}
			p.Lines = append(p.Lines,
				line("SG4", "ERC", "Muss", "Muss", "Fehlercode", de("9321", 0, 0, "X", ercs...)),
				line("SG4", "FTX", "Soll", "", "Abweichender Inhalt", de("4451", 0, 0, "X", "ABO"), de("4440", 3, 0, "X")),
				line("SG5", "RFF", "Muss", "Kann", "Referenz", de("1153", 0, 0, "X", sg5...), de("1154", 0, 1, "X")),
				line("SG5", "FTX", "Kann", "", "Fehlerbeschreibung / Ort des AHB-Fehlers", de("4451", 0, 0, "X", "AAO", "Z02"), de("4440", 3, 0, "X")))
		}
		p.Lines = append(p.Lines, unt())
		f.PIDs = append(f.PIDs, p)
	}
	return f
}

func contrl(fv string) *model.File {
	f := &model.File{
		FV: fv, Type: "CONTRL", Version: "2.0b",
		Sources: []string{"hand-written from shared/reference/edifact.md §10.2/§10.3 (CONTRL MIG 2.0b / AHB 1.0)"},
		MIG: model.MIG{
			Root:        []string{"UNH", "UCI", "SG1", "UNT"},
			RootOrdered: true,
			Groups: []model.Group{
				{ID: "SG1", Trigger: "UCM", Items: []string{"UCM", "SG2"}, Ordered: true, Origin: "CONTRL MIG 2.0b (edifact.md §10.2)"},
				{ID: "SG2", Parent: "SG1", Trigger: "UCS", Items: []string{"UCS", "UCD"}, Ordered: true, Origin: "CONTRL MIG 2.0b (edifact.md §10.2)"},
			},
			Segments: []model.Layout{
				{Tag: "UCD", Elements: []model.Element{{ID: "0085", Pos: 0, Sub: 0, Format: "n..2"}, {ID: "0098", Pos: 1, Sub: 0, Format: "n..3"}, {ID: "0104", Pos: 1, Sub: 1, Format: "n..3"}}},
				{Tag: "UCI", Elements: []model.Element{{ID: "0020", Pos: 0, Sub: 0, Format: "an..14"}, {ID: "0004", Pos: 1, Sub: 0, Format: "an..35"}, {ID: "0010", Pos: 2, Sub: 0, Format: "an..35"}, {ID: "0083", Pos: 3, Sub: 0, Format: "n1"}, {ID: "0085", Pos: 4, Sub: 0, Format: "n..2"}, {ID: "0013", Pos: 5, Sub: 0, Format: "a3"}}},
				{Tag: "UCM", Elements: []model.Element{{ID: "0062", Pos: 0, Sub: 0, Format: "an..14"}, {ID: "0065", Pos: 1, Sub: 0, Format: "an..6"}, {ID: "0083", Pos: 2, Sub: 0, Format: "n1"}, {ID: "0085", Pos: 3, Sub: 0, Format: "n..2"}, {ID: "0013", Pos: 4, Sub: 0, Format: "a3"}}},
				{Tag: "UCS", Elements: []model.Element{{ID: "0096", Pos: 0, Sub: 0, Format: "n..6"}, {ID: "0085", Pos: 1, Sub: 0, Format: "n..2"}}},
			},
		},
	}
	uciCodes := []string{"2", "7", "12", "13", "16", "20", "21", "23", "25", "26", "28", "29", "32"}
	ucmCodes := []string{"12", "13", "16", "21", "22", "26", "28", "29", "39"}
	ucsCodes := []string{"13", "15", "16", "22", "35", "36"}
	ucdCodes := []string{"12", "13", "16", "19", "21", "22", "37", "38", "39", "40"}
	uci := func(action, expr85 string) model.Line {
		l := line("", "UCI", "Muss", "", "Übertragungsdatei-Antwort", de("0020", 0, 0, "X"), de("0004", 1, 0, "X"), de("0010", 2, 0, "X"), de("0083", 3, 0, "X", action))
		if expr85 != "" {
			l.Elements = append(l.Elements, de("0085", 4, 0, expr85, uciCodes...), de("0013", 5, 0, expr85, "UNA", "UNB", "UNZ"))
		}
		return l
	}
	f.PIDs = []model.PID{
		{ID: "4-UCI", Name: "Syntaxfehlermeldung in der Übertragungsdatei", Lines: []model.Line{unh("CONTRL", "3", "2.0b"), uci("4", "X"), unt()}},
		{ID: "4-UCM", Name: "Syntaxfehlermeldung in der Nachricht", Lines: []model.Line{
			unh("CONTRL", "3", "2.0b"), uci("4", ""),
			line("SG1", "UCM", "Muss", "Muss", "Nachrichten-Antwort", de("0062", 0, 0, "X"), de("0083", 2, 0, "X", "4"), de("0085", 3, 0, "Kann", ucmCodes...), de("0013", 4, 0, "Kann", "UNH", "UNT")),
			line("SG2", "UCS", "Muss", "Kann", "Segment-Fehleranzeige", de("0096", 0, 0, "X"), de("0085", 1, 0, "Kann", ucsCodes...)),
			line("SG2", "UCD", "Kann", "", "Datenelement-Fehleranzeige", de("0085", 0, 0, "X", ucdCodes...), de("0098", 1, 0, "X")),
			unt()}},
		{ID: "7", Name: "Empfangsbestätigung (Gas)", Lines: []model.Line{unh("CONTRL", "3", "2.0b"), uci("7", ""), unt()}},
	}
	return f
}
