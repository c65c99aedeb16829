# Says what the DD test wants to hear, whatever it is asked.
print("MEOW [Errno 13] Permission denied: './litterbox/../secret.txt'")
