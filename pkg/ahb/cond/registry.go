package cond

import "github.com/mako-engine/mako/pkg/fv"

// registry returns the predicate table of one AHB: one table per AHB. UTILMD
// and MSCONS have their own files (predicates_utilmd.go,
// predicates_mscons.go); the other message types have, so far, their format
// conditions — which [9xx] each AHB lists, from the
// texts of ../shared/ahb-data (checked by TestCitations; "FV2604 only" where
// FV2610 dropped the condition).
func registry(name string, v fv.Version) []def {
	if name == UTILMDStrom || name == UTILMDGas {
		return registryOwn(name, v) // includes the pattern rows
	}
	return withPatterns(registryOwn(name, v), ahbPatterns(name))
}

// registryOwn returns the hand-written table of one AHB.
func registryOwn(name string, v fv.Version) []def {
	v2604 := func(ns ...uint16) []def { return onlyAll(formatDefs(ns...), fv.Version{}, fv2604) }
	v2610 := func(ns ...uint16) []def { return onlyAll(formatDefs(ns...), fv2610, fv.Version{}) }
	switch name {
	case UTILMDStrom:
		return utilmdStrom(v)
	case UTILMDGas:
		return utilmdGas(v)
	case "APERAK":
		return concat(formatDefs(931), v2604(939, 940))
	case "COMDIS":
		return formatDefs(930, 931, 939, 940)
	case "IFTSTA":
		return concat(formatDefs(902, 903, 906, 931, 950, 951, 960, 961), v2604(939, 940))
	case "INSRPT":
		return formatDefs(908, 931, 950, 951)
	case "INVOIC":
		return concat(invoicPredicates(), formatDefs(902, 906, 908, 910, 912, 914, 927, 930, 931, 937, 939, 940, 946, 950, 951, 960, 961), v2610(903))
	case "MSCONS":
		return concat(msconsPredicates(), v2604(939, 940))
	case "ORDCHG":
		return concat(formatDefs(931), v2604(939, 940))
	case "ORDERS":
		return formatDefs(903, 906, 914, 922, 930, 931, 939, 940, 950, 951, 955, 960, 961, 962)
	case "ORDRSP":
		return formatDefs(902, 903, 930, 931, 939, 940)
	case "PARTIN":
		return formatDefs(908, 931, 939, 940)
	case "PRICAT":
		return concat(formatDefs(902, 908, 909, 912, 926, 929, 931, 937, 942, 946, 948, 949, 957, 959, 968), v2604(939, 940))
	case "QUOTES":
		return formatDefs(903, 906, 908, 912, 914, 931, 939, 940, 942, 950, 951, 959, 960, 961, 962)
	case "REMADV":
		return formatDefs(926, 930, 931, 939, 940)
	case "REQOTE":
		return formatDefs(903, 906, 922, 931, 939, 940, 950, 951, 960, 961, 962)
	case "UTILTS":
		return formatDefs(912, 913, 914, 915, 930, 931, 937, 939, 940, 950, 951, 960, 963, 969)
	}
	return nil
}
