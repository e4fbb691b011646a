package radiusd

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/vendors/wispr"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/throttle"
)

// usePAP is the Reply-Message to member credentials sent by CHAP or EAP,
// which cannot be checked against stored password hashes.
const usePAP = "Send the email and password with PAP: CHAP and EAP cannot be checked here."

// wrongMACPassword answers MAC authentication whose password is none of
// those MAC authentication may send.
const wrongMACPassword = "Invalid username or password"

// accessRequest is what an Access-Request says, read from its attributes.
type accessRequest struct {
	userName    string
	password    string // PAP, decrypted
	hasPassword bool
	chap        []byte // CHAP-Password: identifier, then 16 octets
	chapChall   []byte
	eap         bool
	callCheck   bool
	mac         string // Calling-Station-Id, canonical; "" when absent or not a MAC
	userMAC     string // User-Name as a MAC, canonical, or ""
	rawMAC      string // Calling-Station-Id as sent
}

// device is the MAC of the device asking: Calling-Station-Id, else a
// User-Name that is a MAC, else whatever was sent (which the engine then
// refuses as MAC_NOT_RECEIVED).
func (r accessRequest) device() string {
	switch {
	case r.mac != "":
		return r.mac
	case r.userMAC != "":
		return r.userMAC
	case r.rawMAC != "":
		return r.rawMAC
	}
	return r.userName
}

func readAccessRequest(p *radius.Packet) accessRequest {
	r := accessRequest{userName: strings.TrimSpace(rfc2865.UserName_GetString(p))}
	if pw, err := rfc2865.UserPassword_Lookup(p); err == nil {
		r.password, r.hasPassword = string(pw), true
	}
	r.chap = rfc2865.CHAPPassword_Get(p)
	r.chapChall = rfc2865.CHAPChallenge_Get(p)
	if r.chapChall == nil {
		r.chapChall = p.Authenticator[:] // RFC 2865 §2.2
	}
	_, err := rfc2869.EAPMessage_Lookup(p)
	r.eap = err == nil
	r.callCheck = rfc2865.ServiceType_Get(p) == rfc2865.ServiceType_Value_CallCheck
	r.rawMAC = strings.TrimSpace(rfc2865.CallingStationID_GetString(p))
	r.mac, _ = checkin.NormalizeMAC(r.rawMAC)
	r.userMAC, _ = checkin.NormalizeMAC(r.userName)
	return r
}

// macPasswords are the passwords MAC authentication may send for mac: the
// MAC in any spelling (those vendors use are listed for CHAP, which cannot
// be normalised), nothing, and the client's MacPassword.
func macPasswords(mac, userName, macPassword string) []string {
	hex := strings.ReplaceAll(mac, ":", "")
	lower := strings.ToLower(hex)
	out := []string{"", userName, hex, lower, mac, strings.ToLower(mac),
		strings.ReplaceAll(mac, ":", "-"), strings.ToLower(strings.ReplaceAll(mac, ":", "-")),
		lower[0:4] + "." + lower[4:8] + "." + lower[8:12]}
	if macPassword != "" {
		out = append(out, macPassword)
	}
	return out
}

// macAuthPassword reports whether the request's password is one MAC
// authentication may send for mac.
func (r accessRequest) macAuthPassword(mac, macPassword string) bool {
	if r.hasPassword {
		if m, ok := checkin.NormalizeMAC(r.password); ok && m == mac {
			return true
		}
		return r.password == "" || macPassword != "" && subtle.ConstantTimeCompare([]byte(r.password), []byte(macPassword)) == 1
	}
	if len(r.chap) == 17 {
		for _, pw := range macPasswords(mac, r.userName, macPassword) {
			if chapMatches(r.chap, r.chapChall, pw) {
				return true
			}
		}
		return false
	}
	return true // no password at all
}

// access decides an Access-Request: MAC authentication, a Wi-Fi code, or a
// member's email and password (RADIUS.md).
func (s *Server) access(ctx context.Context, c *client, p *radius.Packet) (*radius.Packet, string, error) {
	r := readAccessRequest(p)
	var req checkin.CheckinRequest
	switch {
	case r.callCheck || r.userMAC != "":
		if !r.callCheck && !r.macAuthPassword(r.userMAC, c.MacPassword) {
			return reject(p, wrongMACPassword), "reject", nil
		}
		req = checkin.CheckinRequest{MAC: r.device()}
	case strings.Contains(r.userName, "@"):
		if !r.hasPassword {
			return reject(p, usePAP), "reject", nil
		}
		req = checkin.CheckinRequest{Email: r.userName, Password: r.password, MAC: r.mac}
	case r.userName == "":
		return reject(p, checkin.RefusalMessages[checkin.CodeInvalidRequestData]), "reject", nil
	case !r.hasPassword && (len(r.chap) > 0 || r.eap):
		return reject(p, usePAP), "reject", nil
	case r.password == "" || strings.EqualFold(r.password, r.userName):
		req = checkin.CheckinRequest{Token: r.userName, MAC: r.mac}
	default: // a name and a password that are not a code: credentials
		req = checkin.CheckinRequest{Email: r.userName, Password: r.password, MAC: r.mac}
	}
	req.Source = checkin.SourceNetworkActivity
	out, err := s.Engine.CheckInFrom(ctx, c.loc, req, throttle.Client{Trusted: true})
	if err != nil {
		return nil, "", err
	}
	ap, ssid := calledStation(rfc2865.CalledStationID_GetString(p))
	s.log().Debug("radius: access decided", "client", c.Name, "device", r.device(), "ap", ap, "ssid", ssid,
		"method", out.Method, "result", out.Result)
	if out.Throttled != nil { // not decided: no FailedCheckin
		return reject(p, out.Throttled.Message()), "reject", nil
	}
	if out.Refused() {
		return reject(p, out.Confirmation.Message), "reject", nil
	}
	return s.accept(c, p, out), "accept", nil
}

// calledStation splits a Called-Station-Id of "MAC:SSID" (IEEE 802.1X
// RADIUS guidelines, RFC 3580) into the access point's MAC and the SSID.
func calledStation(v string) (ap, ssid string) {
	v = strings.TrimSpace(v)
	if i := strings.LastIndexByte(v, ':'); i > 0 {
		if mac, ok := checkin.NormalizeMAC(v[:i]); ok {
			return mac, v[i+1:]
		}
	}
	mac, _ := checkin.NormalizeMAC(v)
	return mac, ""
}

func reject(p *radius.Packet, message string) *radius.Packet {
	reply := p.Response(radius.CodeAccessReject)
	rfc2865.ReplyMessage_SetString(reply, message)
	return reply
}

// accept is the Access-Accept of a check-in: how long the session may
// last, how often to send accounting, when the session ends, and a Class
// naming the check-in's holder, which accounting brings back.
func (s *Server) accept(c *client, p *radius.Packet, out access.Outcome) *radius.Packet {
	reply := p.Response(radius.CodeAccessAccept)
	v := out.Confirmation.Value
	if v == nil {
		return reply
	}
	if v.SessionTimeOut > 0 {
		rfc2865.SessionTimeout_Set(reply, rfc2865.SessionTimeout(min(v.SessionTimeOut, 1<<31-1)))
	}
	rfc2869.AcctInterimInterval_Set(reply, rfc2869.AcctInterimInterval(max(60, c.settings.AcctInterimInterval)))
	if end, err := time.Parse(checkin.CheckinTimeFormat, v.SessionExpire); err == nil {
		wispr.WISPrSessionTerminateTime_SetString(reply, end.In(c.loc.Location()).Format("2006-01-02T15:04:05-07:00"))
	}
	if class := classOf(out); class != "" {
		rfc2865.Class_SetString(reply, class)
	}
	return reply
}

// The Class of an Access-Accept: "checkin:m:<CoworkerId>" for a member,
// "checkin:t:<AccessTokenId>" for a token.
const classPrefix = "checkin:"

func classOf(out access.Outcome) string {
	switch v := out.Confirmation.Value; {
	case out.TokenID != 0:
		return classPrefix + "t:" + strconv.FormatInt(out.TokenID, 10)
	case v != nil && v.CoworkerID != nil:
		return classPrefix + "m:" + strconv.FormatInt(*v.CoworkerID, 10)
	}
	return ""
}

// parseClass reads a Class this server gave; zeros when it is not one.
func parseClass(class string) (coworkerID, tokenID int64) {
	rest, ok := strings.CutPrefix(class, classPrefix)
	if !ok || len(rest) < 3 || rest[1] != ':' {
		return 0, 0
	}
	id, err := strconv.ParseInt(rest[2:], 10, 64)
	if err != nil || id <= 0 {
		return 0, 0
	}
	switch rest[0] {
	case 'm':
		return id, 0
	case 't':
		return 0, id
	}
	return 0, 0
}
