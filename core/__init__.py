"""The ground every app stands on: the error vocabulary and the API's error body, dates (Jalali,
Tehran), text and digits, uploads, cache, middleware, form fields, the audit actor and the template
tags. It imports no app; every app may import it."""
