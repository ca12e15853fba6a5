"""What the web pages and the JSON API share: the request context, the enforcing hook, sign-in, sessions,
error mapping, the `requires` decorator and file downloads. web/ and api/ import this, never each other."""
