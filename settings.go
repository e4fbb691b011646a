package checkin

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// BusinessSetting is one named setting of a location, its value a string.
type BusinessSetting struct {
	BusinessID int64  `json:"BusinessId" api:"required,ref=Business"`
	Name       string `json:"Name" api:"required"`
	Value      string `json:"Value" api:"required"`
	Record
}

// BusinessSettings declares the BusinessSetting entity.
var BusinessSettings = Define[BusinessSetting](Schema{Name: "BusinessSetting", Path: "/api/sys/businesssettings", Table: "business_settings"})

// Validate checks that the setting is known and its value parses, and
// rewrites the value in its canonical spelling (booleans as True/False).
func (s *BusinessSetting) Validate() error {
	var v Validation
	s.Name = strings.TrimSpace(s.Name)
	v.Require("BusinessId", s.BusinessID == 0)
	v.Require("Name", s.Name == "")
	v.Require("Value", strings.TrimSpace(s.Value) == "")
	def := SettingDef(s.Name)
	switch {
	case def == nil && s.Name != "":
		v.Add("Name", s.Name, "is not a setting of this service; known settings: %s", strings.Join(SettingNames(), ", "))
	case def != nil && strings.TrimSpace(s.Value) != "":
		value, err := def.parse(strings.TrimSpace(s.Value))
		if err != nil {
			v.Add("Value", s.Value, "%s", err.Error())
		} else {
			s.Value = value
		}
	}
	return v.Err()
}

func (s *BusinessSetting) String() string { return s.Name + "=" + s.Value }

// Setting is the definition of a setting: its name, the other names it is
// known by, its default, and how it parses.
type Setting struct {
	Name    string
	Aliases []string
	Default string
	parse   func(string) (string, error) // validates and canonicalises a value
	apply   func(*Settings, string)      // sets the typed field from a canonical value
}

// Settings are a location's settings, typed, with defaults filled in.
type Settings struct {
	DeviceCountLimit       int  // Checkin.DeviceCountLimit
	DailyCutOff            int  // Checkin.DailyCutOffTime, minutes after local midnight
	GenerateUniquePincode  bool // Security.GenerateUniquePincode
	AutoGeneratePincode    bool // Security.AutoGeneratePincode
	DisableAutoChecking    bool // DisableAutoChecking
	MembersSignUp          bool // MembersSignUp
	VisitorDefaultDuration int  // PublicWebSite.Visitors.DefaultDuration, minutes
	PincodeMinLength       int  // Security.PincodeMinLength
	AcctInterimInterval    int  // Radius.AcctInterimInterval, seconds
	KioskResetSeconds      int  // Kiosk.ResetSeconds: the kiosk's return to an empty keypad
	DoorAllowlistHours     int  // Doors.AllowlistHours: how long a door's offline allow-list is valid

	// Throttling of failed check-ins (docs/checkin.md, "Throttling").
	ThrottleAddress    ThrottleLimit // Security.Throttle.Address*: per client address and credential kind
	ThrottleIdentity   ThrottleLimit // Security.Throttle.Identity*: per claimed identity and credential kind
	ThrottleLocation   ThrottleLimit // Security.Throttle.Location*: per location and credential kind
	PincodeSprayCount  int           // Security.PincodeSpraying.Pincodes
	PincodeSprayWindow time.Duration // Security.PincodeSpraying.Window, in minutes
}

// ThrottleLimit is one scope of throttling: Failures within a Window are
// free; each further failure delays the next attempt, the delay doubling
// from one second up to MaxDelay.
type ThrottleLimit struct {
	Failures int
	Window   time.Duration
	MaxDelay time.Duration
}

// Setting names the service reads.
const (
	SettingDeviceCountLimit       = "Checkin.DeviceCountLimit"
	SettingDailyCutOffTime        = "Checkin.DailyCutOffTime"
	SettingGenerateUniquePincode  = "Security.GenerateUniquePincode"
	SettingAutoGeneratePincode    = "Security.AutoGeneratePincode"
	SettingDisableAutoChecking    = "DisableAutoChecking"
	SettingMembersSignUp          = "MembersSignUp"
	SettingVisitorDefaultDuration = "PublicWebSite.Visitors.DefaultDuration"
	SettingPincodeMinLength       = "Security.PincodeMinLength"
	SettingAcctInterimInterval    = "Radius.AcctInterimInterval"
	SettingKioskResetSeconds      = "Kiosk.ResetSeconds"
	SettingPincodeSprayCount      = "Security.PincodeSpraying.Pincodes"
	SettingPincodeSprayWindow     = "Security.PincodeSpraying.Window"
	SettingDoorAllowlistHours     = "Doors.AllowlistHours"
)

var settingDefs = []*Setting{
	{Name: SettingDeviceCountLimit, Default: "20", parse: intIn(0, 10000),
		apply: func(s *Settings, v string) { s.DeviceCountLimit = atoi(v) }},
	{Name: SettingDailyCutOffTime, Default: "0", parse: parseCutOff,
		apply: func(s *Settings, v string) { s.DailyCutOff, _ = CutOffMinutes(v) }},
	{Name: SettingGenerateUniquePincode, Default: "False", parse: parseBool,
		apply: func(s *Settings, v string) { s.GenerateUniquePincode = v == "True" }},
	{Name: SettingAutoGeneratePincode, Default: "False", parse: parseBool,
		apply: func(s *Settings, v string) { s.AutoGeneratePincode = v == "True" }},
	{Name: SettingDisableAutoChecking, Aliases: []string{"Security.DisableAutoChecking"}, Default: "False", parse: parseBool,
		apply: func(s *Settings, v string) { s.DisableAutoChecking = v == "True" }},
	{Name: SettingMembersSignUp, Aliases: []string{"Members.CanSignup"}, Default: "False", parse: parseBool,
		apply: func(s *Settings, v string) { s.MembersSignUp = v == "True" }},
	{Name: SettingVisitorDefaultDuration, Default: "60", parse: intIn(1, 7*24*60),
		apply: func(s *Settings, v string) { s.VisitorDefaultDuration = atoi(v) }},
	{Name: SettingPincodeMinLength, Default: "4", parse: intIn(1, MaxPincodeLength),
		apply: func(s *Settings, v string) { s.PincodeMinLength = atoi(v) }},
	{Name: SettingAcctInterimInterval, Default: "600", parse: intIn(60, 7*24*3600),
		apply: func(s *Settings, v string) { s.AcctInterimInterval = atoi(v) }},
	{Name: SettingKioskResetSeconds, Default: "10", parse: intIn(3, 3600),
		apply: func(s *Settings, v string) { s.KioskResetSeconds = atoi(v) }},
	{Name: SettingPincodeSprayCount, Default: "20", parse: intIn(2, 100000),
		apply: func(s *Settings, v string) { s.PincodeSprayCount = atoi(v) }},
	{Name: SettingPincodeSprayWindow, Default: "10", parse: intIn(1, 24*60),
		apply: func(s *Settings, v string) { s.PincodeSprayWindow = minutes(v) }},
	{Name: SettingDoorAllowlistHours, Default: "24", parse: intIn(1, 24*31),
		apply: func(s *Settings, v string) { s.DoorAllowlistHours = atoi(v) }},
	throttleFailures("Address", "10", func(s *Settings) *ThrottleLimit { return &s.ThrottleAddress }),
	throttleWindow("Address", "1440", func(s *Settings) *ThrottleLimit { return &s.ThrottleAddress }),
	throttleMaxDelay("Address", "60", func(s *Settings) *ThrottleLimit { return &s.ThrottleAddress }),
	throttleFailures("Identity", "10", func(s *Settings) *ThrottleLimit { return &s.ThrottleIdentity }),
	throttleWindow("Identity", "60", func(s *Settings) *ThrottleLimit { return &s.ThrottleIdentity }),
	throttleMaxDelay("Identity", "5", func(s *Settings) *ThrottleLimit { return &s.ThrottleIdentity }),
	throttleFailures("Location", "300", func(s *Settings) *ThrottleLimit { return &s.ThrottleLocation }),
	throttleWindow("Location", "60", func(s *Settings) *ThrottleLimit { return &s.ThrottleLocation }),
	throttleMaxDelay("Location", "1", func(s *Settings) *ThrottleLimit { return &s.ThrottleLocation }),
}

// The throttling settings of a scope: Security.Throttle.<Scope>Failures (free
// failures per window), <Scope>Window and <Scope>MaxDelay (minutes).
func throttleFailures(scope, def string, limit func(*Settings) *ThrottleLimit) *Setting {
	return &Setting{Name: "Security.Throttle." + scope + "Failures", Default: def, parse: intIn(0, 1000000),
		apply: func(s *Settings, v string) { limit(s).Failures = atoi(v) }}
}

func throttleWindow(scope, def string, limit func(*Settings) *ThrottleLimit) *Setting {
	return &Setting{Name: "Security.Throttle." + scope + "Window", Default: def, parse: intIn(1, 7*24*60),
		apply: func(s *Settings, v string) { limit(s).Window = minutes(v) }}
}

func throttleMaxDelay(scope, def string, limit func(*Settings) *ThrottleLimit) *Setting {
	return &Setting{Name: "Security.Throttle." + scope + "MaxDelay", Default: def, parse: intIn(1, 24*60),
		apply: func(s *Settings, v string) { limit(s).MaxDelay = minutes(v) }}
}

// SettingDef returns the definition of the setting with that name or alias,
// case-insensitively, or nil.
func SettingDef(name string) *Setting {
	for _, d := range settingDefs {
		if strings.EqualFold(d.Name, name) {
			return d
		}
		for _, a := range d.Aliases {
			if strings.EqualFold(a, name) {
				return d
			}
		}
	}
	return nil
}

// SettingNames returns the canonical names of every known setting.
func SettingNames() []string {
	names := make([]string, len(settingDefs))
	for i, d := range settingDefs {
		names[i] = d.Name
	}
	sort.Strings(names)
	return names
}

// DefaultSettings returns the settings of a location that set none.
func DefaultSettings() Settings {
	var s Settings
	for _, d := range settingDefs {
		d.apply(&s, d.Default)
	}
	return s
}

// NewSettings returns typed settings from stored values keyed by canonical
// name; missing or unparseable values take their defaults.
func NewSettings(values map[string]string) Settings {
	s := DefaultSettings()
	for _, d := range settingDefs {
		raw, ok := values[d.Name]
		if !ok {
			continue
		}
		if v, err := d.parse(raw); err == nil {
			d.apply(&s, v)
		}
	}
	return s
}

func parseBool(s string) (string, error) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		return "True", nil
	case "false", "0", "no", "off":
		return "False", nil
	}
	return "", fmt.Errorf("must be True or False")
}

func intIn(min, max int) func(string) (string, error) {
	return func(s string) (string, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < min || n > max {
			return "", fmt.Errorf("must be a whole number from %d to %d", min, max)
		}
		return strconv.Itoa(n), nil
	}
}

func parseCutOff(s string) (string, error) {
	if _, err := CutOffMinutes(s); err != nil {
		return "", err
	}
	return s, nil
}

// CutOffMinutes reads a daily cut-off time, written as minutes after local
// midnight ("90") or as a time of day ("01:30").
func CutOffMinutes(s string) (int, error) {
	bad := fmt.Errorf("must be minutes after midnight (0 to 1439) or a time of day such as 01:30")
	if h, m, ok := strings.Cut(s, ":"); ok {
		hours, err1 := strconv.Atoi(h)
		minutes, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || len(m) != 2 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59 {
			return 0, bad
		}
		return hours*60 + minutes, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= 24*60 {
		return 0, bad
	}
	return n, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func minutes(s string) time.Duration { return time.Duration(atoi(s)) * time.Minute }
