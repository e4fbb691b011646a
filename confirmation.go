package checkin

// PascalConfirmation is a Confirmation in the PascalCase of the older
// Nexudus documentation, with the HTTP status in the body: the answer to a
// request whose keys are PascalCase, as the clients written from that
// documentation read it.
type PascalConfirmation struct {
	Status        int                       `json:"Status"`
	Message       string                    `json:"Message"`
	Value         *PascalSession            `json:"Value"`
	Errors        []PascalConfirmationError `json:"Errors"`
	WasSuccessful bool                      `json:"WasSuccessful"`
}

// PascalSession is a Session in PascalCase.
type PascalSession struct {
	FullName       *string `json:"FullName,omitempty"`
	CoworkerID     *int64  `json:"CoworkerId,omitempty"`
	TunnelID       *string `json:"TunnelId,omitempty"`
	CheckedIn      *bool   `json:"CheckedIn,omitempty"`
	SessionExpire  string  `json:"SessionExpire"`
	SessionTimeOut int64   `json:"SessionTimeOut"`
}

// PascalConfirmationError is a ConfirmationError in PascalCase.
type PascalConfirmationError struct {
	PropertyName string `json:"PropertyName"`
	Message      string `json:"Message"`
}

// Pascal returns the confirmation in PascalCase, answered with status.
func (c Confirmation) Pascal(status int) PascalConfirmation {
	p := PascalConfirmation{Status: status, Message: c.Message, WasSuccessful: c.WasSuccessful}
	if v := c.Value; v != nil {
		p.Value = &PascalSession{FullName: v.FullName, CoworkerID: v.CoworkerID, TunnelID: v.TunnelID, CheckedIn: v.CheckedIn,
			SessionExpire: v.SessionExpire, SessionTimeOut: v.SessionTimeOut}
	}
	for _, e := range c.Errors {
		p.Errors = append(p.Errors, PascalConfirmationError(e))
	}
	return p
}
