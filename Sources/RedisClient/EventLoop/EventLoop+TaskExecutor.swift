extension EventLoop: TaskExecutor {
    /// Runs a task's job on the loop thread, so that a reply resumes the waiting task without a thread switch.
    /// Once the loop has stopped, jobs go to the global concurrent executor so that no task is stranded.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = execute { [self] in
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
        if !accepted {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }
}
