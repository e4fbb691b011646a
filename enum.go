package checkin

import (
	"sort"
	"strconv"
	"strings"
)

// enums are the enumerations whose names admin bodies accept besides their
// numbers ("Source":"DoorAccess"), by enumeration name.
var enums = map[string]map[string]int64{}

// RegisterEnum declares an enumeration for fields tagged api:"enum=name".
// Call it from an init function.
func RegisterEnum(name string, values map[string]int64) { enums[name] = values }

// EnumValue returns the number of a name of the enumeration, in any case.
func EnumValue(enum, name string) (int64, bool) {
	for k, v := range enums[enum] {
		if strings.EqualFold(k, strings.TrimSpace(name)) {
			return v, true
		}
	}
	return 0, false
}

// EnumNames lists an enumeration's names with their numbers, in order of
// number, for messages and documents: "None (0), Manual (1), ...".
func EnumNames(enum string) string {
	names := make([]string, 0, len(enums[enum]))
	for k := range enums[enum] {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return enums[enum][names[i]] < enums[enum][names[j]] })
	for i, k := range names {
		names[i] = k + " (" + strconv.FormatInt(enums[enum][k], 10) + ")"
	}
	return strings.Join(names, ", ")
}

func init() {
	RegisterEnum("CheckinSource", map[string]int64{"None": SourceNone, "Manual": SourceManual, "DoorAccess": SourceDoorAccess,
		"NetworkActivity": SourceNetworkActivity, "Tile": SourceTile, "Sensor": SourceSensor})
	RegisterEnum("HostApprovalStatus", map[string]int64{"NotRequired": ApprovalNotRequired, "Requested": ApprovalRequested,
		"Rejected": ApprovalRejected, "AcceptedAndHold": ApprovalAcceptedAndHold, "AcceptedAndGrant": ApprovalAcceptedGrant})
}
